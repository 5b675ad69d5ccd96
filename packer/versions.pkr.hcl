# Packer and plugin versions for building packer/ (the whole directory): `packer init packer/` installs the
# Amazon plugin, `packer build packer/` (or packer/build-all-amis.sh) builds.
#
# This block lives apart from nholuongut-ecs.pkr.hcl on purpose: CI validates that file alone with Debian's
# packer 1.6.6, whose Amazon builder is built in and which does not understand `required_plugins`.
packer {
  required_version = ">= 1.8.0"
  required_plugins {
    amazon = {
      source  = "github.com/hashicorp/amazon"
      version = ">= 1.2.0, < 2.0.0"
    }
  }
}
