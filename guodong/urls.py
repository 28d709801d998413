"""Top-level URLs: pages, the versioned API, its schema and offline docs."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from guodong.accounts.api.views import TokenView, UserViewSet
from guodong.core.api_views import EventViewSet
from guodong.divisions.api.views import DivisionViewSet
from guodong.matching.api.views import DemandViewSet
from guodong.missions.api.views import DemandLayerView, MissionViewSet
from guodong.orgs.api.views import DutyItemViewSet, OrganizationViewSet
from guodong.registry.api import views as registry_api

router = DefaultRouter()
router.register("divisions", DivisionViewSet, basename="division")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("duty-items", DutyItemViewSet, basename="dutyitem")
router.register("users", UserViewSet, basename="user")
router.register("events", EventViewSet, basename="event")
router.register("resource-types", registry_api.ResourceTypeViewSet, basename="resourcetype")
router.register("holdings", registry_api.HoldingViewSet, basename="holding")
router.register("specialists", registry_api.SpecialistViewSet, basename="specialist")
router.register(
    "civil-defence-works", registry_api.CivilDefenceWorkViewSet, basename="civildefencework"
)
router.register("sirens", registry_api.SirenViewSet, basename="siren")
router.register("warehouses", registry_api.WarehouseViewSet, basename="warehouse")
router.register("imports", registry_api.ImportJobViewSet, basename="importjob")
router.register("potential", registry_api.PotentialView, basename="potential")
router.register("demands", DemandViewSet, basename="demand")
router.register("missions", MissionViewSet, basename="mission")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/auth/token/", TokenView.as_view(), name="api_token"),
    path("api/v1/map/demands/", DemandLayerView.as_view(), name="map_demands"),
    path("", include("guodong.maps.urls")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("divisions/", include("guodong.divisions.urls")),
    path("organizations/", include("guodong.orgs.urls")),
    path("users/", include("guodong.accounts.urls")),
    path("registry/", include("guodong.registry.urls")),
    path("demands/", include("guodong.demands.urls")),
    path("demands/missions/", include("guodong.missions.urls")),
    path("demands/", include("guodong.matching.urls")),
    path("", include("guodong.core.urls")),
]

# Chinese pages (JSON under /api/) instead of Django's English ones: guodong/core/errors.py.
handler400 = "guodong.core.errors.bad_request"
handler403 = "guodong.core.errors.permission_denied"
handler404 = "guodong.core.errors.page_not_found"
handler500 = "guodong.core.errors.server_error"
