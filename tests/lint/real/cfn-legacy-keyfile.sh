#!/bin/bash
function error_exit {
  /opt/aws/bin/cfn-signal -e 1 -r "$1" 'PLACEHOLDER_WAIT_HANDLE'
  exit 1
}
yum -y update aws-cfn-bootstrap || error_exit 'Failed to update aws-cfn-bootstrap'
KEYFILE=~ec2-user/.cfn-credentials
echo "AWSAccessKeyId=PLACEHOLDER_ACCESS_KEY\nAWSSecretKey=PLACEHOLDER_SECRET_KEY" > ${KEYFILE} || error_exit "Failed to write ${KEYFILE}"
/opt/aws/bin/cfn-init -f ${KEYFILE} -r Instance -s PLACEHOLDER_STACK --region PLACEHOLDER_REGION || error_exit "cfn-init failed"
