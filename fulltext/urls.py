from django.urls import path

from . import views

app_name = "fulltext"

urlpatterns = [
    path("figures/<int:pk>", views.figure_image, name="figure"),
]
