from guodong.core.api import ScopedViewSet
from guodong.orgs.api.serializers import DutyItemSerializer, OrganizationSerializer
from guodong.orgs.filtersets import DutyItemFilterSet, OrganizationFilterSet
from guodong.orgs.models import DutyItem, Organization
from guodong.orgs.services import add_duty, create_organization, update_duty, update_organization


class OrganizationViewSet(ScopedViewSet):
    model = Organization
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    create_service = staticmethod(create_organization)
    update_service = staticmethod(update_organization)


class DutyItemViewSet(ScopedViewSet):
    model = DutyItem
    serializer_class = DutyItemSerializer
    filterset_class = DutyItemFilterSet
    create_service = staticmethod(add_duty)
    update_service = staticmethod(update_duty)
