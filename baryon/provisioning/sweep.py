"""Deleting what a stack left behind, and proving it is gone with describe calls.

Real CloudFormation deletes every resource of a stack. moto's `DeleteStack` fails on any VPC with a route
table (DependencyViolation) and then forgets the stack while its VPC, subnets, gateways, route tables, ECS
clusters and hosted zones live on; an update that replaces a resource leaves the old one. Baryon keeps every
physical resource a stack ever had (the deployments' resource lists) and sweeps the ones still present, in
dependency order. Against real AWS the describe calls find nothing and nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from baryon.provisioning.clouds import Cloud, CloudSession

GONE_CODES = {
    "InvalidVpcID.NotFound", "InvalidSubnetID.NotFound", "InvalidRouteTableID.NotFound", "InvalidGroup.NotFound",
    "InvalidInternetGatewayID.NotFound", "NoSuchHostedZone", "NoSuchEntity", "ClusterNotFoundException",
    "InvalidGroupId.Malformed", "InvalidParameterValue",
}  # fmt: skip


def _gone(error: ClientError) -> bool:
    return error.response["Error"]["Code"] in GONE_CODES


class Sweeper:
    """Deletes leftover resources of known types in one account's cloud, as the role session."""

    def __init__(self, cloud: Cloud, session: CloudSession) -> None:
        self.ec2 = cloud.client(session, "ec2")
        self.ecs = cloud.client(session, "ecs")
        self.route53 = cloud.client(session, "route53")
        self.iam = cloud.client(session, "iam")
        self._order: list[tuple[str, Callable[[str], bool]]] = [
            ("AWS::ECS::Cluster", self._cluster),
            ("AWS::EC2::RouteTable", self._route_table),
            ("AWS::EC2::InternetGateway", self._internet_gateway),
            ("AWS::EC2::SecurityGroup", self._security_group),
            ("AWS::EC2::Subnet", self._subnet),
            ("AWS::Route53::HostedZone", self._hosted_zone),
            ("AWS::EC2::VPC", self._vpc),
            ("AWS::IAM::Role", self._role),
        ]

    @staticmethod
    def handles(resource_type: str) -> bool:
        return resource_type in SWEPT_TYPES

    def sweep(self, resources: Iterable[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
        """Delete every listed resource that still exists; (the deleted ones, what could not be deleted)."""
        wanted: dict[str, set[str]] = {}
        for resource in resources:
            if resource.get("physicalId") and self.handles(str(resource.get("type"))):
                wanted.setdefault(str(resource["type"]), set()).add(str(resource["physicalId"]))
        deleted: list[dict[str, Any]] = []
        failures: list[str] = []
        for resource_type, delete in self._order:
            for physical_id in sorted(wanted.get(resource_type, ())):
                try:
                    if delete(physical_id):
                        deleted.append({"type": resource_type, "physicalId": physical_id})
                except ClientError as error:
                    if not _gone(error):
                        failures.append(f"{resource_type} {physical_id}: {error.response['Error']['Message']}")
        return deleted, failures

    # -- one type each: True when something was deleted, False when it was already gone ------------------

    def _cluster(self, name: str) -> bool:
        found = self.ecs.describe_clusters(clusters=[name])["clusters"]
        if not found or found[0].get("status") != "ACTIVE":
            return False
        arn = found[0]["clusterArn"]
        for service in self.ecs.list_services(cluster=arn).get("serviceArns", []):
            self.ecs.delete_service(cluster=arn, service=service, force=True)
        self.ecs.delete_cluster(cluster=arn)
        return True

    def _route_table(self, table_id: str) -> bool:
        tables = self.ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"]
        if not tables:
            return False
        for association in tables[0].get("Associations", []):
            if not association.get("Main") and association.get("RouteTableAssociationId"):
                self.ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
        if any(a.get("Main") for a in tables[0].get("Associations", [])):
            return False  # the VPC's main table goes with the VPC
        self.ec2.delete_route_table(RouteTableId=table_id)
        return True

    def _internet_gateway(self, gateway_id: str) -> bool:
        gateways = self.ec2.describe_internet_gateways(InternetGatewayIds=[gateway_id])["InternetGateways"]
        if not gateways:
            return False
        for attachment in gateways[0].get("Attachments", []):
            self.ec2.detach_internet_gateway(InternetGatewayId=gateway_id, VpcId=attachment["VpcId"])
        self.ec2.delete_internet_gateway(InternetGatewayId=gateway_id)
        return True

    def _security_group(self, group_id: str) -> bool:
        groups = self.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
        if not groups or groups[0].get("GroupName") == "default":
            return False
        self.ec2.delete_security_group(GroupId=group_id)
        return True

    def _subnet(self, subnet_id: str) -> bool:
        if not self.ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"]:
            return False
        self.ec2.delete_subnet(SubnetId=subnet_id)
        return True

    def _hosted_zone(self, zone_id: str) -> bool:
        try:
            zone = self.route53.get_hosted_zone(Id=zone_id)["HostedZone"]
        except ClientError as error:
            if _gone(error):
                return False
            raise
        changes = [
            {"Action": "DELETE", "ResourceRecordSet": record}
            for record in self.route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
            if record["Type"] not in ("SOA", "NS")
        ]
        if changes:
            self.route53.change_resource_record_sets(HostedZoneId=zone["Id"], ChangeBatch={"Changes": changes})
        self.route53.delete_hosted_zone(Id=zone["Id"])
        return True

    def _vpc(self, vpc_id: str) -> bool:
        """The VPC and everything still inside it (the stack created the VPC, so all of it is the stack's)."""
        if not self.ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]:
            return False
        by_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
        attached = [{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
        for gateway in self.ec2.describe_internet_gateways(Filters=attached)["InternetGateways"]:
            self._internet_gateway(gateway["InternetGatewayId"])
        for table in self.ec2.describe_route_tables(Filters=by_vpc)["RouteTables"]:
            self._route_table(table["RouteTableId"])
        for subnet in self.ec2.describe_subnets(Filters=by_vpc)["Subnets"]:
            self.ec2.delete_subnet(SubnetId=subnet["SubnetId"])
        for group in self.ec2.describe_security_groups(Filters=by_vpc)["SecurityGroups"]:
            if group.get("GroupName") != "default":
                self.ec2.delete_security_group(GroupId=group["GroupId"])
        self.ec2.delete_vpc(VpcId=vpc_id)
        return True

    def _role(self, name: str) -> bool:
        try:
            self.iam.get_role(RoleName=name)
        except ClientError as error:
            if _gone(error):
                return False
            raise
        for policy in self.iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
            self.iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
        for policy_name in self.iam.list_role_policies(RoleName=name)["PolicyNames"]:
            self.iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
        self.iam.delete_role(RoleName=name)
        return True


SWEPT_TYPES = frozenset(
    {
        "AWS::ECS::Cluster", "AWS::EC2::RouteTable", "AWS::EC2::InternetGateway", "AWS::EC2::SecurityGroup",
        "AWS::EC2::Subnet", "AWS::Route53::HostedZone", "AWS::EC2::VPC", "AWS::IAM::Role",
    }
)  # fmt: skip
"""The resource types Baryon checks and deletes after a stack is gone (moto leaves these behind)."""
