"""The S3 scoring metrics: concatenation EDS and vocabulary F1, heading tree, table TEDS,
reading order."""
