"""Zhifa (执法): the three systems of administrative enforcement — 公示, 全过程记录, 法制审核."""

__version__ = "0.1.0"
