"""Pages for care: episodes of care, the care team and the team leader's list."""

from __future__ import annotations

from django.urls import URLPattern, path

from coexist.care import views

app_name = "care"

urlpatterns: list[URLPattern] = [
    path("team/", views.team_leader, name="team-leader"),
    path("people/<uuid:public_id>/episodes/", views.person_episodes, name="person-episodes"),
    path("episodes/<uuid:public_id>/", views.episode_detail, name="episode"),
    path("episodes/<uuid:public_id>/coordinator/", views.episode_coordinator, name="assign-coordinator"),
    path("episodes/<uuid:public_id>/care-team/new/", views.care_team_new, name="care-team-new"),
    path("care-team/<uuid:public_id>/end/", views.care_team_end, name="care-team-end"),
]
