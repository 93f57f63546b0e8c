"""The program-wide style sheet: a focus ring a clerk can see on every focusable widget.

The platform styles draw keyboard focus as a faint dotted line or not at all, so one Tab
too many sends typing to a button nobody noticed. A two-pixel blue ring on the focused
button, tab, table, list, check box, input and link line (a label whose link opens a
folder takes Tab too) shows where the next key goes.
"""

from __future__ import annotations

FOCUS_COLOR = "#1565c0"

FOCUS_STYLE = f"""
QPushButton:focus, QToolButton:focus {{
    border: 2px solid {FOCUS_COLOR};
    border-radius: 3px;
    padding: 3px 8px;
}}
QTabBar::tab:focus {{
    border: 2px solid {FOCUS_COLOR};
}}
QTableView:focus, QListView:focus, QTreeView:focus {{
    border: 2px solid {FOCUS_COLOR};
}}
QCheckBox:focus, QRadioButton:focus {{
    border: 1px solid {FOCUS_COLOR};
}}
QLabel:focus {{
    border: 1px solid {FOCUS_COLOR};
}}
QLineEdit:focus, QComboBox:focus, QSpinBox:focus, QDateEdit:focus {{
    border: 2px solid {FOCUS_COLOR};
    padding: 1px;
}}
"""
