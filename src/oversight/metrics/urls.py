from django.urls import path

from oversight.metrics import views, views_imports, views_metric, views_rebases

urlpatterns = [
    path("metrics/", views.framework_list, name="framework_list"),
    path("metrics/<slug:code>/", views.framework_detail, name="framework"),
    path("imports/", views_imports.import_list, name="import_list"),
    path("imports/<int:pk>/", views_imports.batch_detail, name="import_batch"),
    path("imports/uploads/<uuid:pk>/", views_imports.upload_detail, name="import_upload"),
    path("imports/<int:pk>/publish/", views_imports.batch_publish, name="import_batch_publish"),
    path("imports/observations/<int:pk>/", views_imports.observation_history,
         name="observation_history"),
    path("imports/templates/<slug:code>/", views_imports.template_download,
         name="import_template"),
    path("organisations/<str:ods_code>/metrics/<str:metric_code>/",
         views_metric.organisation_metric, name="organisation_metric"),
    path("organisations/<str:ods_code>/metrics/<str:metric_code>/rebases/",
         views_rebases.rebase_add, name="rebase_add"),
    path("organisations/<str:ods_code>/metrics/<str:metric_code>/rebases/<int:pk>/remove/",
         views_rebases.rebase_remove, name="rebase_remove"),
]
