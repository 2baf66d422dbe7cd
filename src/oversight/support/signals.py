"""A new segment decision opens, keeps or ends the subject's support case.

Connected by ``SupportConfig.ready``. The segmentation app knows nothing of support: it only
saves decisions (never edited, so only ``created`` matters).
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender="segmentation.Decision", dispatch_uid="support-decision-recorded")
def decision_recorded(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from oversight.support.cases import open_for_decision

        open_for_decision(instance)
