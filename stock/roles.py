"""What each role may do with the ketamine stock ledger (issue #9; granted from apps.py through
``clinic.accounts.roles.grant``): nurses and clinicians receive, draw, waste and count; clinicians and the clinic admin
read the DEA reports and record a DEA Form 106 as filed (the registrant's report of a loss or theft); the clinic admin
keeps the products; front desk has no access to controlled-substance records."""

from clinic.accounts.roles import CLINIC_ADMIN, CLINICIAN, NURSE, codenames

_READ = codenames(
    "stock", ["stockproduct", "stockreceipt", "vial", "stockmovement", "stockcount", "form106filing"], "view"
)
_RECORDING = [*_READ, "stock.add_stockreceipt", "stock.add_stockcount", "stock.record_stock"]

PERMISSIONS: dict[str, list[str]] = {
    NURSE: _RECORDING,
    CLINICIAN: [*_RECORDING, "stock.view_stock_reports", "stock.add_form106filing"],
    CLINIC_ADMIN: [
        *_READ,
        "stock.add_stockproduct",
        "stock.change_stockproduct",
        *codenames("stock", ["stocksettings"], "view", "change"),
        "stock.view_stock_reports",
        "stock.add_form106filing",
    ],
}
