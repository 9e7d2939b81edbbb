"""How much of a month the HTML and the PDF list one by one, whatever the month's volume.

A person reads the monthly report; an auditor needs the evidence. So each section of
the document adds its rows up in small tables, then lists only the rows that matter
most, and says how many it left out; the JSON (`tandem report --format json`) keeps
every row, as does the view the document is made from.
"""

ROWS = 20  # escalations, fixes, silences and snoozes listed one by one, per section
PEOPLE = 12  # rows of a table by person; the rest are added up in one last row
INCIDENT_SECTIONS = 3  # incidents shown in full: key times, deadlines, timeline
INCIDENT_ROWS = 25  # the next incidents, one row of key times each
TIMELINE_HEAD = 8  # a longer timeline shows its first events…
TIMELINE_TAIL = 4  # …and its last, with how many it skipped between them
