from django.apps import AppConfig


class SegmentationConfig(AppConfig):
    name = "oversight.segmentation"
    verbose_name = "Segmentation"
