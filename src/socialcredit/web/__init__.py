"""The portal: server-rendered pages in Simplified Chinese and English on the service layer.

Installed on the service's own FastAPI application by :func:`socialcredit.web.app.install_portal`; the pages
call :class:`~socialcredit.service.platform.Platform` and :class:`~socialcredit.service.due_process.DueProcess`,
never the store behind them.
"""
