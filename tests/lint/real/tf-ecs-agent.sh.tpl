#!/bin/bash
cat <<'CFG' >> /etc/ecs/ecs.config
ECS_CLUSTER=${cluster_name}
ECS_ENABLE_CONTAINER_METADATA=true
CFG
%{ if enable_efs }
yum install -y amazon-efs-utils
mkdir -p /mnt/efs
mount -t efs ${efs_id}:/ /mnt/efs
%{ endif }
echo "${cluster_name} node ready" > /etc/motd
