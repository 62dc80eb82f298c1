"""The schedule's pages, included at ``schedule/`` (clinic.urls). Dates go in the query string (``?date=``)."""

from django.urls import path

from clinic.actions import action_view
from scheduling import views, worklists
from scheduling.views import BookingDetailView

app_name = "scheduling"

urlpatterns = [
    path("", views.ScheduleDayView.as_view(), name="schedule_day"),
    path("week/", views.ScheduleWeekView.as_view(), name="schedule_week"),
    path("bookings/<int:pk>/", BookingDetailView.as_view(), name="booking_detail"),
    path("courses/<int:pk>/book/", views.CourseSeriesView.as_view(), name="course_series"),
    path("to-book/", worklists.ToBookWorklistView.as_view(), name="to_book_worklist"),
    path("missed/", worklists.NoShowWorklistView.as_view(), name="no_show_worklist"),
    path("questionnaires-due/", worklists.QuestionnairesDueWorklistView.as_view(), name="questionnaires_due_worklist"),
    *[
        path(f"bookings/<int:pk>/{key.replace('_', '-')}/", action_view(BookingDetailView, key), name=f"booking_{key}")
        for key in BookingDetailView.action_forms
    ],
]
