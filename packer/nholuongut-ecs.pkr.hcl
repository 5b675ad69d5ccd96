# The nholuongut ECS AMI: the newest ECS-optimized Amazon Linux 2023 AMI of a region, plus a Java runtime,
# the agent (target/agent.jar), nholuongut Net and Scope, their systemd units, and the ECS agent drop-in
# that makes ECS tasks join the nholuongut network.
#
#   packer init packer/                       # once: installs the Amazon plugin (packer/versions.pkr.hcl)
#   packer build -var region=us-east-1 \
#     -var net_version=X -var net_sha256=... -var scope_version=Y -var scope_sha256=... packer/
#
# packer/build-all-amis.sh does this for every region and updates the README's AMI table.
# Paths are relative to this file (path.root), so packer can be run from any directory.

variable "region" {
  type        = string
  description = "AWS region to build in; the AMI stays in this region."
}

variable "instance_type" {
  type        = string
  default     = "t3.small"
  description = "Instance type of the temporary build instance."
}

# Where the build instance runs and how Packer reaches it (as amazon-ecs-ami's al2023.pkr.hcl has them): an
# account or region without a default VPC fails with VPCIdNotSpecified unless a subnet is given.
variable "subnet_id" {
  type        = string
  default     = ""
  description = "Subnet for the build instance (empty: the default VPC's). Its VPC is used too."
}

variable "ssh_interface" {
  type        = string
  default     = ""
  description = "How Packer reaches the build instance: public_ip, private_ip, public_dns, private_dns or session_manager (empty: Packer's default)."
}

variable "iam_instance_profile" {
  type        = string
  default     = ""
  description = "Instance profile for the build instance, e.g. for session_manager (empty: none; the build calls no AWS API)."
}

variable "source_ami_name" {
  type        = string
  default     = "al2023-ami-ecs-hvm-*-x86_64"
  description = "Name pattern of the base AMI; the newest Amazon-owned match is used."
}

variable "ami_name_prefix" {
  type        = string
  default     = "nholuongut-ecs"
  description = "Start of the AMI name; the versions and a UTC timestamp follow."
}

variable "agent_jar" {
  type        = string
  default     = ""
  description = "Path of the agent jar to install (empty: target/agent.jar of this repository)."
}

variable "java_package" {
  type        = string
  default     = "java-25-amazon-corretto-headless"
  description = "Amazon Corretto package from the Amazon Linux 2023 repositories: Java 25 or later, for the unit's AOT cache (-XX:AOTCache)."
}

variable "net_version" {
  type        = string
  description = "Version of nholuongut Net (the `nholuongut` script and the images it pulls)."
}

variable "net_url" {
  type        = string
  default     = "https://github.com/nholuongut/net/releases/download/v{version}/nholuongut"
  description = "Download URL of the `nholuongut` script; {version} is replaced by net_version."
}

variable "net_sha256" {
  type        = string
  description = "SHA-256 of the `nholuongut` script at net_url, from the release notes; the build fails on a mismatch."
}

variable "scope_version" {
  type        = string
  description = "Version of nholuongut Scope (the `scope` script and its image)."
}

variable "scope_url" {
  type        = string
  default     = "https://github.com/nholuongut/scope/releases/download/v{version}/scope"
  description = "Download URL of the `scope` script; {version} is replaced by scope_version."
}

variable "scope_sha256" {
  type        = string
  description = "SHA-256 of the `scope` script at scope_url; the build fails on a mismatch."
}

variable "scope_image" {
  type        = string
  default     = "nholuongut/scope:{version}"
  description = "Scope's container image, pulled into the AMI; {version} is replaced by scope_version."
}

variable "manifest_path" {
  type        = string
  default     = ""
  description = "Where the manifest post-processor writes the AMI id (empty: packer/out/manifest.json)."
}

locals {
  stamp         = formatdate("YYYYMMDD-hhmmss", timestamp())
  agent_jar     = var.agent_jar != "" ? var.agent_jar : "${path.root}/../target/agent.jar"
  manifest_path = var.manifest_path != "" ? var.manifest_path : "${path.root}/out/manifest.json"
  net_url       = replace(var.net_url, "{version}", var.net_version)
  scope_url     = replace(var.scope_url, "{version}", var.scope_version)
  scope_image   = replace(var.scope_image, "{version}", var.scope_version)
}

source "amazon-ebs" "nholuongut-ecs" {
  region               = var.region
  instance_type        = var.instance_type
  ssh_username         = "ec2-user"
  subnet_id            = var.subnet_id
  ssh_interface        = var.ssh_interface
  iam_instance_profile = var.iam_instance_profile

  source_ami_filter {
    filters = {
      name                = var.source_ami_name
      architecture        = "x86_64"
      virtualization-type = "hvm"
      root-device-type    = "ebs"
    }
    owners      = ["amazon"]
    most_recent = true
  }

  # No metadata_options / imds_support here: CI validates this file with packer 1.6.6, which knows neither.
  # The build needs no metadata settings, and the agent uses IMDSv2 whatever an instance allows. imds_support
  # = "v2.0" would make every instance of the AMI tokens-only by default; that choice is left to the launch
  # template (see the README).

  ami_name        = "${var.ami_name_prefix}-net-${var.net_version}-scope-${var.scope_version}-${local.stamp}"
  ami_description = "Amazon ECS-optimized Amazon Linux 2023 with nholuongut Net ${var.net_version} and Scope ${var.scope_version}"

  tags = {
    Name            = "${var.ami_name_prefix}-${local.stamp}"
    source_ami_id   = "{{ .SourceAMI }}"
    source_ami_name = "{{ .SourceAMIName }}"
    net_version     = var.net_version
    scope_version   = var.scope_version
    java_package    = var.java_package
  }
  run_tags = {
    Name = "packer: ${var.ami_name_prefix} builder"
  }
}

build {
  name    = "nholuongut-ecs"
  sources = ["source.amazon-ebs.nholuongut-ecs"]

  provisioner "shell" {
    inline = ["rm -rf /tmp/nholuongut", "mkdir -p /tmp/nholuongut"]
  }

  provisioner "file" {
    source      = local.agent_jar
    destination = "/tmp/nholuongut/agent.jar"
  }

  # Directories without a trailing slash: each arrives as /tmp/nholuongut/<name>.
  provisioner "file" {
    source      = "${path.root}/../init"
    destination = "/tmp/nholuongut"
  }

  provisioner "file" {
    source      = "${path.root}/files"
    destination = "/tmp/nholuongut"
  }

  provisioner "file" {
    source      = "${path.root}/scripts"
    destination = "/tmp/nholuongut"
  }

  provisioner "shell" {
    execute_command = "chmod +x {{ .Path }}; sudo env {{ .Vars }} bash {{ .Path }}"
    environment_vars = [
      "STAGE=/tmp/nholuongut",
      "JAVA_PACKAGE=${var.java_package}",
      "NET_URL=${local.net_url}",
      "NET_SHA256=${var.net_sha256}",
      "SCOPE_URL=${local.scope_url}",
      "SCOPE_SHA256=${var.scope_sha256}",
      "SCOPE_IMAGE=${local.scope_image}",
    ]
    script = "${path.root}/scripts/install.sh"
  }

  # Last: nothing of this build instance's identity or of the ECS agent's state goes into the snapshot.
  provisioner "shell" {
    execute_command = "chmod +x {{ .Path }}; sudo env {{ .Vars }} bash {{ .Path }}"
    script          = "${path.root}/scripts/cleanup.sh"
  }

  post-processor "manifest" {
    output     = local.manifest_path
    strip_path = true
    custom_data = {
      region        = var.region
      net_version   = var.net_version
      scope_version = var.scope_version
    }
  }
}
