Attribute VB_Name = "BcpRibbon"
' BCP ribbon of the master workbooks (customUI.xml).
' Every button calls OnAction with its id; Python dispatches on the id (bcp_xl.xl.dispatch),
' so adding a button changes customUI.xml and the Python handler table only.
Option Explicit

Public Sub OnAction(control As IRibbonControl)
    RunPython "import bcp_xl.xl; bcp_xl.xl.dispatch('" & control.Id & "')"
End Sub
