package awsapi

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// TerminateServer terminates the instance and waits, for at most timeout, until EC2 reports it terminated,
// so its volumes are gone when it returns. An instance that no longer exists counts as terminated.
func (c *Clients) TerminateServer(ctx context.Context, id string, timeout time.Duration) error {
	_, err := c.ec2.terminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	w := ec2.NewInstanceTerminatedWaiter(c.ec2.describeInstances, func(o *ec2.InstanceTerminatedWaiterOptions) {
		o.MinDelay, o.MaxDelay = waitMinDelay, waitMaxDelay
	})
	err = w.Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, timeout)
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("waiting up to %s for instance %s to terminate: %w", timeout, id, err)
	}
	return nil
}
