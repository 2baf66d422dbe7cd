from django.urls import path

from oversight.risks import views, views_reviews, views_transfer

urlpatterns = [
    path("risks/", views.register, name="risk_register"),
    path("risks/new/", views.risk_new, name="risk_new"),
    path("risks/heat-map/", views.heat_map, name="risk_heat_map"),
    path("risks/assurance-framework/", views.baf, name="risk_baf"),
    path("risks/appetite/", views.appetite, name="risk_appetite"),
    path("risks/export.<str:fmt>", views_transfer.export, name="risk_export"),
    path("risks/template.<str:fmt>", views_transfer.template, name="risk_template"),
    path("risks/import/", views_transfer.upload, name="risk_import"),
    path("risks/actions/<int:pk>/", views.action_update, name="risk_action"),
    path("risks/reviews/<int:item_pk>/", views_reviews.review, name="risk_review"),
    path("risks/reviews/meetings/<int:meeting_pk>/", views_reviews.review_new,
         name="risk_review_new"),
    path("risks/<slug:reference>/", views.risk_detail, name="risk"),
    path("risks/<slug:reference>/<slug:step>/", views.risk_step, name="risk_step"),
]
