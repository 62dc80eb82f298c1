from django.urls import path

from infusions import views

app_name = "infusions"

urlpatterns = [
    path("today/", views.TodayBoardView.as_view(), name="today_board"),
    path("patients/<int:pk>/courses/", views.CourseListView.as_view(), name="course_list"),
    path("patients/<int:pk>/courses/new/", views.CourseCreateView.as_view(), name="course_create"),
    path("courses/<int:pk>/", views.CourseDetailView.as_view(), name="course_detail"),
    path("courses/<int:pk>/sessions/new/", views.SessionScheduleView.as_view(), name="session_schedule"),
    path("sessions/<int:pk>/", views.SessionChartView.as_view(), name="session_chart"),
    *[
        path(f"sessions/<int:pk>/{segment}/", view.as_view(), name=name)
        for segment, (name, view) in views.SESSION_ACTIONS.items()
    ],
]
