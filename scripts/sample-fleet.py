#!/usr/bin/env python3
"""Builds a sample fleet in a local AWS emulator (moto) for the demo and the benchmark.

  sample-fleet.py --endpoint http://127.0.0.1:PORT [--tagged N] [--tag-key K] [--tag-value V]
                  [--asg NAME --asg-size M] [--untagged U] [--format lines|json]
  sample-fleet.py --endpoint http://127.0.0.1:PORT --terminate INSTANCE_ID...

Creates N instances tagged K=V (one RunInstances call per instance, so each is its own reservation,
as when instances boot independently), U instances without any tag, and/or an Auto Scaling Group NAME
of M instances (a launch configuration plus CreateAutoScalingGroup with DesiredCapacity M). With
--terminate it only terminates those instances (a scale-in) and prints nothing.

Output (stdout):
  lines (default): one line per instance, "KIND INSTANCE_ID PRIVATE_IP", KIND being tagged, asg or
                   untagged, in launch order; scripts pick e.g. the first "tagged" line as "self".
  json:            {"region": ..., "tagged": {"key", "value", "instances": [{"instanceId", "address"}]},
                    "asg": {"name", "instances": [...]}, "untagged": {"instances": [...]}}

Only a loopback endpoint is accepted, so this can never create anything in a real AWS account.
"""

import argparse
import json
import sys
from urllib.parse import urlparse

import boto3
from botocore.config import Config

TAG_KEY = "nholuongut:peerGroupName"


def loopback_only(endpoint):
    host = urlparse(endpoint).hostname or ""
    if not (host == "localhost" or host.startswith("127.")):
        raise SystemExit("sample-fleet.py: refusing endpoint %r: only a loopback emulator is allowed" % endpoint)


def clients(endpoint, region):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name=region)
    config = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=30)
    return (session.client("ec2", endpoint_url=endpoint, config=config),
            session.client("autoscaling", endpoint_url=endpoint, config=config))


def an_image(ec2):
    images = ec2.describe_images(MaxResults=5)["Images"]
    if not images:
        raise SystemExit("sample-fleet.py: the emulator offers no AMI")
    return images[0]["ImageId"]


def addresses(ec2, ids):
    """Private address of each id, asked with a filter (never a raw InstanceIds list)."""
    found = {}
    for page in ec2.get_paginator("describe_instances").paginate(
            Filters=[{"Name": "instance-id", "Values": list(ids)}]):
        for reservation in page["Reservations"]:
            for instance in reservation["Instances"]:
                found[instance["InstanceId"]] = instance.get("PrivateIpAddress")
    return [{"instanceId": i, "address": found.get(i)} for i in ids]


def run_one(ec2, image, tags):
    request = {"ImageId": image, "InstanceType": "t3.micro", "MinCount": 1, "MaxCount": 1}
    if tags:
        request["TagSpecifications"] = [{
            "ResourceType": "instance",
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        }]
    return ec2.run_instances(**request)["Instances"][0]["InstanceId"]


def auto_scaling_group(autoscaling, image, name, size, region):
    config_name = name + "-lc"
    autoscaling.create_launch_configuration(LaunchConfigurationName=config_name, ImageId=image,
                                            InstanceType="t3.micro")
    autoscaling.create_auto_scaling_group(AutoScalingGroupName=name, LaunchConfigurationName=config_name,
                                          MinSize=0, MaxSize=max(size, 10), DesiredCapacity=size,
                                          AvailabilityZones=[region + "a"])
    groups = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
    return sorted(i["InstanceId"] for i in groups[0]["Instances"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True, help="the emulator, e.g. http://127.0.0.1:5000")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--tagged", type=int, default=0, metavar="N", help="tagged instances to launch")
    parser.add_argument("--tag-key", default=TAG_KEY)
    parser.add_argument("--tag-value", default="demo")
    parser.add_argument("--untagged", type=int, default=0, metavar="U", help="instances with no tag")
    parser.add_argument("--asg", metavar="NAME", help="Auto Scaling Group to create")
    parser.add_argument("--asg-size", type=int, default=3, metavar="M")
    parser.add_argument("--format", choices=("lines", "json"), default="lines")
    parser.add_argument("--terminate", nargs="+", metavar="INSTANCE_ID", help="terminate these, nothing else")
    args = parser.parse_args()
    loopback_only(args.endpoint)

    ec2, autoscaling = clients(args.endpoint, args.region)
    if args.terminate:
        ec2.terminate_instances(InstanceIds=args.terminate)
        return 0
    image = an_image(ec2)
    result = {"region": args.region}

    tagged = [run_one(ec2, image, {args.tag_key: args.tag_value}) for _ in range(args.tagged)]
    untagged = [run_one(ec2, image, {}) for _ in range(args.untagged)]
    asg = auto_scaling_group(autoscaling, image, args.asg, args.asg_size, args.region) if args.asg else []

    if tagged:
        result["tagged"] = {"key": args.tag_key, "value": args.tag_value, "instances": addresses(ec2, tagged)}
    if asg:
        result["asg"] = {"name": args.asg, "instances": addresses(ec2, asg)}
    if untagged:
        result["untagged"] = {"instances": addresses(ec2, untagged)}

    if args.format == "json":
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for kind in ("tagged", "asg", "untagged"):
            for instance in result.get(kind, {}).get("instances", []):
                print(kind, instance["instanceId"], instance["address"] or "-")
    return 0


if __name__ == "__main__":
    sys.exit(main())
