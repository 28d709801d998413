from guodong.registry.models.catalogue import CatalogueVersion, ResourceType
from guodong.registry.models.facilities import CivilDefenceWork, Siren, Warehouse
from guodong.registry.models.holdings import Holding
from guodong.registry.models.people import Qualification, Specialist
from guodong.registry.models.surveys import ImportJob, SurveyAssignment, SurveyCampaign
from guodong.registry.models.verification import VerificationItem, VerificationTask

__all__ = [
    "CatalogueVersion",
    "CivilDefenceWork",
    "Holding",
    "ImportJob",
    "Qualification",
    "ResourceType",
    "Siren",
    "Specialist",
    "SurveyAssignment",
    "SurveyCampaign",
    "VerificationItem",
    "VerificationTask",
    "Warehouse",
]
