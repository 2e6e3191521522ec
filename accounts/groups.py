"""The groups that give people their permissions.

The "Teachers" group itself, with exactly the permissions a teacher needs in the admin, is
made by a data migration in classrooms (0003_teachers_group), which writes the name out as
migrations do; everything else names it through this constant.
"""

TEACHERS_GROUP = "Teachers"
