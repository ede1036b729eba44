"""What an import tells the other apps once it has written, inside its transaction.

`people_written(sender=write_plan, people=set_of_ids)`: the people the import
created or changed, with their positions. The import writes in bulk
(COPY, `bulk_update`), without `save()` and its signals: an app that keeps a
rule on people (the people's rights of `crmsite.privacy`: an erased
coordinate never comes back contactable) applies it to these ids.
"""

from django.dispatch import Signal

people_written = Signal()
