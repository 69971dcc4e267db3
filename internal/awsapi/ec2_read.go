package awsapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// ReadServer returns everything the provider tracks about an instance: DescribeInstances, then the rest at
// once (see ReadServerDetails). An instance that is shutting down or terminated is returned with its state
// only; an instance that does not exist is a not-found error.
func (c *Clients) ReadServer(ctx context.Context, id string) (*Server, error) {
	out, err := c.ec2.describeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		return nil, err
	}
	s, err := c.described(id, out)
	if err != nil {
		return nil, err
	}
	if s.State == string(ec2types.InstanceStateNameShuttingDown) || s.State == string(ec2types.InstanceStateNameTerminated) {
		return s, nil
	}
	if err := c.ReadServerDetails(ctx, s); err != nil {
		return nil, err
	}
	return s, nil
}

// described takes the instance out of a DescribeInstances answer; an empty answer is a not-found error.
func (c *Clients) described(id string, out *ec2.DescribeInstancesOutput) (*Server, error) {
	if len(out.Reservations) == 0 || len(out.Reservations[0].Instances) == 0 {
		return nil, &smithy.GenericAPIError{Code: "InvalidInstanceID.NotFound", Message: "instance " + id + " not found"}
	}
	r := out.Reservations[0]
	return c.server(aws.ToString(r.OwnerId), r.Instances[0]), nil
}

// ReadServerDetails adds to a described instance what DescribeInstances does not report: its shutdown
// behaviour, its user data's fingerprint and its root volume's size, type and encryption, read at once.
func (c *Clients) ReadServerDetails(ctx context.Context, s *Server) error {
	id := aws.String(s.ID)
	// Each read writes only its own fields of s.
	reads := []func(context.Context) error{
		func(ctx context.Context) error {
			shutdown, err := c.ec2.describeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{
				InstanceId: id, Attribute: ec2types.InstanceAttributeNameInstanceInitiatedShutdownBehavior,
			})
			if err != nil {
				return fmt.Errorf("reading the shutdown behaviour: %w", err)
			}
			if shutdown.InstanceInitiatedShutdownBehavior != nil {
				s.ShutdownBehavior = aws.ToString(shutdown.InstanceInitiatedShutdownBehavior.Value)
			}
			return nil
		},
		func(ctx context.Context) error {
			ud, err := c.ec2.describeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{
				InstanceId: id, Attribute: ec2types.InstanceAttributeNameUserData,
			})
			if err != nil {
				return fmt.Errorf("reading the user data: %w", err)
			}
			if ud.UserData != nil && aws.ToString(ud.UserData.Value) != "" {
				plain, err := base64.StdEncoding.DecodeString(aws.ToString(ud.UserData.Value))
				if err != nil {
					return errors.New("decoding the user data: EC2 returned data that is not base64")
				}
				s.UserDataSHA256 = SHA256Hex(string(plain))
			}
			return nil
		},
	}
	if root := s.Root; root != nil && root.ID != "" {
		reads = append(reads, func(ctx context.Context) error {
			vols, err := c.ec2.describeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{root.ID}})
			if err != nil {
				return fmt.Errorf("reading the root volume %s: %w", root.ID, err)
			}
			if len(vols.Volumes) == 1 {
				v := vols.Volumes[0]
				root.SizeGB = aws.ToInt32(v.Size)
				root.Type = string(v.VolumeType)
				root.Encrypted = aws.ToBool(v.Encrypted)
				root.KMSKeyID = aws.ToString(v.KmsKeyId)
			}
			return nil
		})
	}
	return concurrently(ctx, reads...)
}
