# English dates as schools outside the United States read them too: "3 Dec 2026, 14:05",
# never "12/03/2026". Chinese keeps Django's own ("2026年12月3日 14:05").
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M, H:i"
TIME_FORMAT = "H:i"
