"""The sample ward behind ``bcp-xl sample``: four master workbooks of a fictional ward named 目黒区."""

from bcp_xl.sample.generator import build_world, write_sample
from bcp_xl.sample.scale import Scale, parse_scale

__all__ = ["Scale", "build_world", "parse_scale", "write_sample"]
