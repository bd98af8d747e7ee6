/**
 * The samples of the AWS reference, byte for byte as published (placeholders included), to prove the
 * parser reads what AWS actually sends.
 */
export const AWS_REFERENCE_SAMPLES = {
  /** "EC2 Instance State-change Notification", EC2 user guide (with the envelope's `version`). */
  instanceStateChange: `{
  "version": "0",
  "id": "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "123456789012",
  "time": "2021-11-11T21:29:54Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  "detail": { "instance-id": "i-abcd1111", "state": "pending" }
}`,
  /** "EC2 Instance-launch Lifecycle Action", Auto Scaling event reference; `time` is a placeholder there. */
  launchLifecycleAction: `{
  "version": "0",
  "id": "12345678-1234-1234-1234-123456789012",
  "detail-type": "EC2 Instance-launch Lifecycle Action",
  "source": "aws.autoscaling",
  "account": "123456789012",
  "time": "yyyy-mm-ddThh:mm:ssZ",
  "region": "us-west-2",
  "resources": ["auto-scaling-group-arn"],
  "detail": {
    "LifecycleActionToken": "87654321-4321-4321-4321-210987654321",
    "AutoScalingGroupName": "my-asg",
    "LifecycleHookName": "my-lifecycle-hook",
    "EC2InstanceId": "i-1234567890abcdef0",
    "LifecycleTransition": "autoscaling:EC2_INSTANCE_LAUNCHING",
    "NotificationMetadata": "additional-info"
  }
}`,
  /** "Scheduled Event" from a scheduled rule (aws-lambda-rust-runtime fixture). */
  scheduled: `{
  "version": "0",
  "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
  "detail-type": "Scheduled Event",
  "source": "aws.events",
  "account": "123456789012",
  "time": "2015-10-08T16:53:06Z",
  "region": "us-east-1",
  "resources": ["arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"],
  "detail": {}
}`,
  /** An observed SQS body from a terminate hook whose target is a queue. */
  terminateNotification: `{"LifecycleHookName":"valheim-default-terminate","AccountId":"456410706824","RequestId":"a7b2d01b-69d3-4940-910a-3a2ee0cbe1f9","LifecycleTransition":"autoscaling:EC2_INSTANCE_TERMINATING","AutoScalingGroupName":"valheim-default","Service":"AWS Auto Scaling","Time":"2021-02-26T06:40:06.663Z","EC2InstanceId":"i-016a0e69d8b5ae49d","NotificationMetadata":"…","LifecycleActionToken":"dce60e5a-ffe3-4a47-bd57-56effbaefd60"}`,
  /** An observed test notification. */
  testNotification: `{"AccountId":"609519224176","RequestId":"b36d6757-57c7-11e8-a9ca-b3409db76d91","AutoScalingGroupARN":"arn:aws:autoscaling:us-west-2:609519224176:autoScalingGroup:d3ab46f5-…:autoScalingGroupName/MarketDataECS-AutoScalingGroup-TZI0DMYKJBJG","AutoScalingGroupName":"MarketDataECS-AutoScalingGroup-TZI0DMYKJBJG","Service":"AWS Auto Scaling","Event":"autoscaling:TEST_NOTIFICATION","Time":"2018-05-14T22:39:45.555Z"}`,
  /** The "email key-value" notification message of the Auto Scaling user guide. */
  keyValueNotification: `Service: AWS Auto Scaling
Time: 2021-01-19T00:36:26.533Z
RequestId: 18b2ec17-3e9b-4c15-8024-ff2e8ce8786a
LifecycleActionToken: 71514b9d-6a40-4b26-8523-05e7ee35fa40
AccountId: 123456789012
AutoScalingGroupName: my-asg
LifecycleHookName: my-hook
EC2InstanceId: i-0598c7d356eba48d7
LifecycleTransition: autoscaling:EC2_INSTANCE_LAUNCHING
NotificationMetadata: hook message metadata`,
} as const;
