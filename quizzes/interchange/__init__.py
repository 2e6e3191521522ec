"""Questions in and out: GIFT, Aiken and Moodle XML.

The format modules (gift, aiken, moodlexml) read a file into neutral drafts (drafts.py):
what a question's answers look like (shapes.py), never which kind of this app it becomes.
The kinds registry (quizzes/kinds/) turns a shape into a kind's fields and back, and
`report.plan` / `report.apply` put the drafts into a quiz: the plan says what will be
created, changed or lost, and applying writes all of it in one transaction, or nothing.
"""
