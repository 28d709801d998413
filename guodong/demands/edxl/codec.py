"""OASIS EDXL-RM 1.0 messages: hardened parsing, validation against the official schemas, a
neutral reading of the parts the platform uses, and writing them back.

Nothing here resolves an entity or a DTD: defusedxml refuses any message that declares one
before lxml sees it, and lxml itself runs with entity resolution and network access off. The
schemas load from the vendored bundle only (see xsd/SOURCE.md).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import defusedxml.ElementTree as safe_tree  # type: ignore[import-untyped]
from defusedxml import DefusedXmlException
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]

XSD_DIR = Path(__file__).parent / "xsd"
RM = "urn:oasis:names:tc:emergency:EDXL:RM:1.0"
MSG = "urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg"
GML = "http://www.opengis.net/gml"
XNL = "urn:oasis:names:tc:ciq:xnl:3"
DE = "urn:oasis:names:tc:emergency:EDXL:DE:1.0"
MAX_BYTES = 2 * 1024 * 1024
KINDS = ("RequestResource", "RequisitionResource", "CommitResource",
         "ReportResourceDeploymentStatus")  # fmt: skip
INBOUND = ("RequestResource", "RequisitionResource")
WITH_PRECEDING = ("CommitResource", "ReportResourceDeploymentStatus")


class _LocalSchemas(etree.Resolver):  # type: ignore[misc]  # lxml ships no types
    """Schema imports resolve to the vendored files only (case-insensitively: the OASIS bundle
    names `xNL.xsd` but imports `xnl.xsd`)."""

    def __init__(self) -> None:
        super().__init__()
        self.files = {p.name.lower(): p for p in XSD_DIR.glob("*.xsd")}

    def resolve(self, url: str, pubid: str, context: object) -> object:
        local = self.files.get(url.rsplit("/", 1)[-1].lower())
        if local is None:
            raise etree.XMLSchemaParseError(f"schema outside the vendored bundle: {url}")
        return self.resolve_filename(str(local), context)


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True)  # fmt: skip
    parser.resolvers.add(_LocalSchemas())
    return parser


@cache
def schema(kind: str) -> etree.XMLSchema:
    document = etree.parse(str(XSD_DIR / f"EDXL-RM{kind}.xsd"), _parser())
    return etree.XMLSchema(document)


@dataclass
class Schedule:
    kind: str
    when: dt.datetime | None = None
    place: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass
class ResourceInfo:
    element_id: str
    name: str = ""
    type_list: str = ""
    type_value: str = ""
    description: str = ""
    requirements: str = ""
    amount: float | None = None
    quantity_text: str = ""
    function: str = ""
    instructions: str = ""
    response: str = ""  # Accept / Decline / Provisional
    preceding_element_id: str = ""
    deployment_status: str = ""
    schedules: list[Schedule] = field(default_factory=list)


@dataclass
class Message:
    kind: str
    message_id: str
    sent: dt.datetime
    originating_id: str
    preceding_id: str = ""
    incident_id: str = ""
    incident: str = ""
    fund_code: str = ""
    funding: str = ""
    contacts: list[tuple[str, str]] = field(default_factory=list)  # (role, description)
    resources: list[ResourceInfo] = field(default_factory=list)
    # From an EDXL-DE envelope around the message, when there is one: Actual, Exercise, Test…
    distribution_status: str = ""


def validate(data: bytes) -> etree._Element:
    """The message's root element, or a ValidationError saying why it was refused."""
    if len(data) > MAX_BYTES:
        raise ValidationError({"message": _("The message is larger than 2 MB.")})
    try:
        safe_tree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise ValidationError(
            {"message": _("The message declares a DTD or entities; it was refused unread.")}
        ) from error
    except safe_tree.ParseError as error:
        raise ValidationError(
            {"message": _("The message is not well-formed XML: {error}").format(error=error)}
        ) from error
    root = _unwrap(etree.fromstring(data, _parser()))
    name = etree.QName(root)
    if name.namespace != MSG or name.localname not in KINDS:
        raise ValidationError(
            {"message": _("“{name}” is not an EDXL-RM message this platform reads.").format(
                name=name.localname
            )}
        )  # fmt: skip
    checker = schema(name.localname)
    # A message inside an envelope is checked on its own (a copy is its own document); the
    # element returned keeps its envelope for read() to take the distribution status from.
    if not checker.validate(copy.deepcopy(root) if root.getparent() is not None else root):
        problems = [
            _("line {line}: {error}").format(line=e.line, error=e.message)
            for e in list(checker.error_log)[:5]
        ]
        raise ValidationError(
            {"message": [_("The message does not follow the EDXL-RM 1.0 schema."), *problems]}
        )
    return root


def _unwrap(root: etree._Element) -> etree._Element:
    """The EDXL-RM message carried in an EDXL-DE distribution (the envelope itself, or a
    service's request around it), or the root when there is no envelope."""
    envelope = root if etree.QName(root) == etree.QName(DE, "EDXLDistribution") else None
    if envelope is None:
        envelope = root.find(f".//{{{DE}}}EDXLDistribution")
    if envelope is None:
        return root
    for content in envelope.iterfind(f".//{{{DE}}}embeddedXMLContent"):
        for child in content:
            if isinstance(child.tag, str) and etree.QName(child).namespace == MSG:
                return child
    return root


def _distribution_status(root: etree._Element) -> str:
    for ancestor in root.iterancestors(f"{{{DE}}}EDXLDistribution"):
        return _text(ancestor, "de:distributionStatus")
    return ""


def _text(node: etree._Element | None, path: str) -> str:
    found = (
        node.find(path, {"m": MSG, "rm": RM, "gml": GML, "de": DE}) if node is not None else None
    )
    return " ".join((found.text or "").split()) if found is not None else ""


def _time(value: str) -> dt.datetime | None:
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def read(root: etree._Element) -> Message:
    """The parts of a (validated) message the platform uses."""
    ns = {"m": MSG, "rm": RM, "gml": GML, "xnl": XNL}
    # The schema requires SentDateTime; a message read without validation may lack it.
    sent = _time(_text(root, "m:SentDateTime")) or dt.datetime.min.replace(tzinfo=dt.UTC)
    message = Message(
        kind=etree.QName(root).localname, message_id=_text(root, "m:MessageID"), sent=sent,
        originating_id=_text(root, "m:OriginatingMessageID"),
        preceding_id=_text(root, "m:PrecedingMessageID"),
        incident_id=_text(root, "m:IncidentInformation/rm:IncidentID"),
        incident=_text(root, "m:IncidentInformation/rm:IncidentDescription"),
        fund_code=_text(root, "m:Funding/rm:FundCode"),
        funding=_text(root, "m:Funding/rm:FundingInfo"),
        distribution_status=_distribution_status(root),
    )  # fmt: skip
    for contact in root.iterfind("m:ContactInformation", ns):
        names = " ".join(
            (e.text or "").strip() for e in contact.iterfind(".//xnl:NameElement", ns) if e.text
        )
        message.contacts.append(
            (_text(contact, "rm:ContactRole"), _text(contact, "rm:ContactDescription") or names)
        )
    for info in root.iterfind("m:ResourceInformation", ns):
        resource = info.find("m:Resource", ns)
        item = ResourceInfo(
            element_id=_text(info, "m:ResourceInfoElementID"),
            name=_text(resource, "m:Name"),
            type_list=_text(resource, "m:TypeStructure/rm:ValueListURN"),
            type_value=_text(resource, "m:TypeStructure/rm:Value"),
            description=_text(resource, "m:Description"),
            requirements=_text(resource, "m:SpecialRequirements"),
            quantity_text=_text(info, "m:AssignmentInformation/m:Quantity/rm:QuantityText"),
            function=_text(info, "m:AssignmentInformation/m:AnticipatedFunction"),
            instructions=_text(
                info, "m:AssignmentInformation/m:AssignmentInstructions/rm:ReportingInstructions"
            ),
            response=_text(info, "m:ResponseInformation/rm:ResponseType"),
            preceding_element_id=_text(
                info, "m:ResponseInformation/rm:PrecedingResourceInfoElementID"
            ),
            deployment_status=_text(
                resource, "m:ResourceStatus/m:DeploymentStatus/rm:Value"
            ),
        )  # fmt: skip
        amount = _text(info, "m:AssignmentInformation/m:Quantity/rm:MeasuredQuantity/rm:Amount")
        item.amount = float(amount) if amount else None
        for schedule in info.iterfind("m:ScheduleInformation", ns):
            pos = _text(schedule, "m:Location/rm:TargetArea/gml:Point/gml:pos").split()
            item.schedules.append(Schedule(
                kind=_text(schedule, "m:ScheduleType"), when=_time(_text(schedule, "m:DateTime")),
                place=_text(schedule, "m:Location/rm:LocationDescription"),
                lat=float(pos[0]) if len(pos) == 2 else None,
                lon=float(pos[1]) if len(pos) == 2 else None,
            ))  # fmt: skip
        message.resources.append(item)
    return message


def _add(
    parent: etree._Element, namespace: str, tag: str, text: str | None = None
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{namespace}}}{tag}")
    if text is not None:
        element.text = text
    return element


def write(message: Message) -> bytes:
    """The message as EDXL-RM 1.0 XML (elements in schema order), validated before returning."""
    root = etree.Element(f"{{{MSG}}}{message.kind}", nsmap={None: MSG, "rm": RM, "gml": GML})
    _add(root, MSG, "MessageID", message.message_id)
    _add(root, MSG, "SentDateTime", message.sent.isoformat(timespec="seconds"))
    _add(root, MSG, "MessageContentType", message.kind)
    _add(root, MSG, "OriginatingMessageID", message.originating_id)
    if message.preceding_id and message.kind in WITH_PRECEDING:
        _add(root, MSG, "PrecedingMessageID", message.preceding_id)
    if message.incident_id or message.incident:
        incident = _add(root, MSG, "IncidentInformation")
        if message.incident_id:
            _add(incident, RM, "IncidentID", message.incident_id)
        if message.incident:
            _add(incident, RM, "IncidentDescription", message.incident)
    if message.fund_code or message.funding or message.kind == "RequisitionResource":
        funding = _add(root, MSG, "Funding")
        if message.fund_code or not message.funding:
            _add(
                funding,
                RM,
                "FundCode",
                message.fund_code or _("National defence mobilization funds"),
            )
        if message.funding:
            _add(funding, RM, "FundingInfo", message.funding)
    for role, description in message.contacts:
        contact = _add(root, MSG, "ContactInformation")
        if description:
            _add(contact, RM, "ContactDescription", description)
        if role:
            _add(contact, RM, "ContactRole", role)
    for item in message.resources:
        _write_resource(root, message.kind, item)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate(data)
    return data


def _write_resource(root: etree._Element, kind: str, item: ResourceInfo) -> None:
    info = _add(root, MSG, "ResourceInformation")
    _add(info, MSG, "ResourceInfoElementID", item.element_id)
    if item.response:
        response = _add(info, MSG, "ResponseInformation")
        _add(response, RM, "PrecedingResourceInfoElementID",
             item.preceding_element_id or item.element_id)  # fmt: skip
        _add(response, RM, "ResponseType", item.response)
    fields = (
        item.name,
        item.type_value,
        item.description,
        item.requirements,
        item.deployment_status,
    )
    if any(fields) or kind in INBOUND:
        resource = _add(info, MSG, "Resource")
        if item.name:
            _add(resource, MSG, "Name", item.name)
        if item.type_value:
            structure = _add(resource, MSG, "TypeStructure")
            _add(structure, RM, "ValueListURN", item.type_list)
            _add(structure, RM, "Value", item.type_value)
        if item.description:
            _add(resource, MSG, "Description", item.description)
        if item.requirements:
            _add(resource, MSG, "SpecialRequirements", item.requirements)
        if item.deployment_status:
            status = _add(_add(resource, MSG, "ResourceStatus"), MSG, "DeploymentStatus")
            _add(status, RM, "ValueListURN", "urn:x-hazard:vocab:deploymentStatusTypes")
            _add(status, RM, "Value", item.deployment_status)
    if item.amount is not None or item.quantity_text or item.function or item.instructions:
        assignment = _add(info, MSG, "AssignmentInformation")
        quantity = _add(assignment, MSG, "Quantity")
        if item.amount is not None:
            _add(_add(quantity, RM, "MeasuredQuantity"), RM, "Amount", f"{item.amount:g}")
        else:
            _add(quantity, RM, "QuantityText", item.quantity_text or "1")
        if item.function:
            _add(assignment, MSG, "AnticipatedFunction", item.function)
        if item.instructions:
            instructions = _add(assignment, MSG, "AssignmentInstructions")
            _add(instructions, RM, "ReportingInstructions", item.instructions)
    for schedule in item.schedules:
        element = _add(info, MSG, "ScheduleInformation")
        _add(element, MSG, "ScheduleType", schedule.kind)
        if schedule.when:
            _add(element, MSG, "DateTime", schedule.when.isoformat(timespec="seconds"))
        if schedule.place or schedule.lat is not None:
            location = _add(element, MSG, "Location")
            if schedule.place:
                _add(location, RM, "LocationDescription", schedule.place)
            if schedule.lat is not None:
                point = _add(_add(location, RM, "TargetArea"), GML, "Point")
                _add(point, GML, "pos", f"{schedule.lat:.6f} {schedule.lon:.6f}")
