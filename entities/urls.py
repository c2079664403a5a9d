from django.urls import path

from . import views

app_name = "entities"

urlpatterns = [
    # `path`: an identifier is canonical, as PubTator's ("MESH:D003042"), and may hold any character but none is read.
    path("entities/<str:type>/<path:identifier>", views.entity_detail, name="detail"),
]
