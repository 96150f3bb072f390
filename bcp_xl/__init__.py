"""bcp_xl: the toolkit for a ward's BCP and ICT-BCP, with Excel as the source of truth."""

__version__ = "0.1.0"
