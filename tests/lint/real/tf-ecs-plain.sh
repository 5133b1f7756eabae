#!/bin/bash
# templatefile("user_data.sh", { cluster_name = ..., log_group = ... })
echo "ECS_CLUSTER=${cluster_name}" >> /etc/ecs/ecs.config
echo "ECS_AWSVPC_BLOCK_IMDS=true" >> /etc/ecs/ecs.config
yum install -y amazon-cloudwatch-agent
sed -i "s|LOG_GROUP|${log_group}|" /opt/aws/amazon-cloudwatch-agent/etc/config.json
systemctl enable --now amazon-cloudwatch-agent
