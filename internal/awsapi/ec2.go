package awsapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// ServerInput is what the provider asks for when it launches an instance. Everything the provider enforces
// (IMDSv2 only, no public IP address, an encrypted root volume deleted on termination, stop on
// instance-initiated shutdown) is not configurable and set by RunServer itself.
type ServerInput struct {
	ImageID          string
	InstanceType     string
	KMSKeyARN        string
	SubnetID         string // empty: the default subnet of the default VPC
	SecurityGroupIDs []string
	RootVolumeSizeGB int32
	RootVolumeType   string
	UserData         string // plain text; empty for none. Encoded here, never logged.
	Tags             map[string]string
}

// Server is an EC2 instance as the provider sees it.
type Server struct {
	ID               string
	ARN              string
	State            string // pending, running, stopping, stopped, shutting-down, terminated
	ImageID          string
	InstanceType     string
	AvailabilityZone string
	PrivateIP        string
	PublicIP         string
	SubnetID         string
	SecurityGroupIDs []string // sorted
	Tags             map[string]string

	MetadataHTTPTokens   string
	MetadataHopLimit     int32
	MetadataHTTPEndpoint string // empty when the service does not report it
	// ShutdownBehavior is what the instance does when its operating system shuts it down: stop or terminate.
	ShutdownBehavior string
	// UserDataSHA256 is the hex SHA-256 of the user data in plain text, empty when there is none. The user
	// data itself never leaves this package.
	UserDataSHA256 string

	RootDeviceName string
	// Root is the EBS volume at the root device; nil when the instance has none.
	Root *Volume
}

// Volume is the root EBS volume of a server.
type Volume struct {
	ID                  string
	SizeGB              int32
	Type                string
	Encrypted           bool
	KMSKeyID            string
	DeleteOnTermination bool
}

// Root device names used when an image does not report its own: Linux images boot from /dev/xvda,
// Windows images from /dev/sda1.
const (
	linuxRootDevice   = "/dev/xvda"
	windowsRootDevice = "/dev/sda1"
)

// ErrImageNotFound is returned by RunServer when the image does not exist in the region, or the caller
// cannot see it.
var ErrImageNotFound = errors.New("image not found")

// rootDeviceName returns the device name of the image's root volume, so the launch can encrypt that volume
// rather than add a second one.
func (c *Clients) rootDeviceName(ctx context.Context, imageID string) (string, error) {
	out, err := c.ec2.describeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{imageID}})
	if code(err) == "InvalidAMIID.NotFound" || code(err) == "InvalidAMIID.Unavailable" {
		return "", fmt.Errorf("%w: %s in %s", ErrImageNotFound, imageID, c.Region)
	}
	if err != nil {
		return "", fmt.Errorf("describing image %s: %w", imageID, err)
	}
	if len(out.Images) == 0 {
		return "", fmt.Errorf("%w: %s in %s", ErrImageNotFound, imageID, c.Region)
	}
	img := out.Images[0]
	if name := aws.ToString(img.RootDeviceName); name != "" {
		return name, nil
	}
	if img.Platform == ec2types.PlatformValuesWindows {
		return windowsRootDevice, nil
	}
	return linuxRootDevice, nil
}

// RunServer launches one instance and returns it as RunInstances reports it: the id, placement and
// network are known, the state is usually still pending. The caller saves the id before waiting.
func (c *Clients) RunServer(ctx context.Context, in ServerInput) (*Server, error) {
	device, err := c.rootDeviceName(ctx, in.ImageID)
	if err != nil {
		return nil, err
	}
	token, err := clientToken()
	if err != nil {
		return nil, err
	}
	nic := ec2types.InstanceNetworkInterfaceSpecification{
		DeviceIndex:              aws.Int32(0),
		AssociatePublicIpAddress: aws.Bool(false),
		DeleteOnTermination:      aws.Bool(true),
		Groups:                   in.SecurityGroupIDs,
	}
	if in.SubnetID != "" {
		nic.SubnetId = aws.String(in.SubnetID)
	}
	input := &ec2.RunInstancesInput{
		ImageId:      aws.String(in.ImageID),
		InstanceType: ec2types.InstanceType(in.InstanceType),
		MinCount:     aws.Int32(1),
		MaxCount:     aws.Int32(1),
		// The SDK retries a failed request; the token makes EC2 launch one instance however often it arrives.
		ClientToken: aws.String(token),
		BlockDeviceMappings: []ec2types.BlockDeviceMapping{{
			DeviceName: aws.String(device),
			Ebs: &ec2types.EbsBlockDevice{
				Encrypted:           aws.Bool(true),
				KmsKeyId:            aws.String(in.KMSKeyARN),
				DeleteOnTermination: aws.Bool(true),
				VolumeSize:          aws.Int32(in.RootVolumeSizeGB),
				VolumeType:          ec2types.VolumeType(in.RootVolumeType),
				Iops:                provisionedIOPS(in.RootVolumeType, in.RootVolumeSizeGB),
			},
		}},
		MetadataOptions: &ec2types.InstanceMetadataOptionsRequest{
			HttpTokens:              ec2types.HttpTokensStateRequired,
			HttpPutResponseHopLimit: aws.Int32(1),
			HttpEndpoint:            ec2types.InstanceMetadataEndpointStateEnabled,
		},
		NetworkInterfaces:                 []ec2types.InstanceNetworkInterfaceSpecification{nic},
		InstanceInitiatedShutdownBehavior: ec2types.ShutdownBehaviorStop,
	}
	if in.UserData != "" {
		input.UserData = aws.String(base64.StdEncoding.EncodeToString([]byte(in.UserData)))
	}
	if tags := ec2Tags(in.Tags); len(tags) > 0 {
		input.TagSpecifications = []ec2types.TagSpecification{
			{ResourceType: ec2types.ResourceTypeInstance, Tags: tags},
			{ResourceType: ec2types.ResourceTypeVolume, Tags: tags},
		}
	}
	ctx, cancel, err := uninterrupted(ctx)
	if err != nil {
		return nil, err
	}
	defer cancel()
	out, err := c.ec2.runInstances(ctx, input)
	if err != nil {
		return nil, err
	}
	if len(out.Instances) != 1 {
		return nil, fmt.Errorf("RunInstances returned %d instances, want 1", len(out.Instances))
	}
	return c.server(aws.ToString(out.OwnerId), out.Instances[0]), nil
}

// How often the waiters poll. The SDK's defaults start at 15 seconds, which makes every create and destroy
// of a server take at least that long; most instances start or stop within a few seconds.
const (
	waitMinDelay = 2 * time.Second
	waitMaxDelay = 15 * time.Second
)

// WaitServerRunning waits, for at most timeout, until the instance is running, and returns it as the
// waiter's last DescribeInstances reported it: what describing it again would say, without the request.
// What DescribeInstances does not report (see ReadServerDetails) is not read yet.
func (c *Clients) WaitServerRunning(ctx context.Context, id string, timeout time.Duration) (*Server, error) {
	w := ec2.NewInstanceRunningWaiter(c.ec2.describeInstances, func(o *ec2.InstanceRunningWaiterOptions) {
		o.MinDelay, o.MaxDelay = waitMinDelay, waitMaxDelay
	})
	out, err := w.WaitForOutput(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, timeout)
	if err != nil {
		return nil, fmt.Errorf("waiting up to %s for instance %s to run: %w", timeout, id, err)
	}
	return c.described(id, out)
}

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

// SHA256Hex is how the provider fingerprints user data: the hex SHA-256 of its bytes.
func SHA256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// server translates an instance description. The root volume's details other than its id and
// delete-on-termination flag come from DescribeVolumes, in ReadServerDetails.
func (c *Clients) server(owner string, i ec2types.Instance) *Server {
	s := &Server{
		ID:             aws.ToString(i.InstanceId),
		ImageID:        aws.ToString(i.ImageId),
		InstanceType:   string(i.InstanceType),
		PrivateIP:      aws.ToString(i.PrivateIpAddress),
		PublicIP:       aws.ToString(i.PublicIpAddress),
		SubnetID:       aws.ToString(i.SubnetId),
		RootDeviceName: aws.ToString(i.RootDeviceName),
		Tags:           map[string]string{},
	}
	if owner != "" && s.ID != "" {
		s.ARN = fmt.Sprintf("arn:%s:ec2:%s:%s:instance/%s", partition(c.Region), c.Region, owner, s.ID)
	}
	if i.State != nil {
		s.State = string(i.State.Name)
	}
	if i.Placement != nil {
		s.AvailabilityZone = aws.ToString(i.Placement.AvailabilityZone)
	}
	if m := i.MetadataOptions; m != nil {
		s.MetadataHTTPTokens = string(m.HttpTokens)
		s.MetadataHopLimit = aws.ToInt32(m.HttpPutResponseHopLimit)
		s.MetadataHTTPEndpoint = string(m.HttpEndpoint)
	}
	for _, t := range i.Tags {
		s.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	// The groups of the primary network interface are the instance's; some services report them only
	// there when the instance was launched with a network interface specification.
	groups := map[string]bool{}
	for _, n := range i.NetworkInterfaces {
		if n.Attachment != nil && aws.ToInt32(n.Attachment.DeviceIndex) == 0 {
			for _, g := range n.Groups {
				groups[aws.ToString(g.GroupId)] = true
			}
			if s.PublicIP == "" && n.Association != nil {
				s.PublicIP = aws.ToString(n.Association.PublicIp)
			}
		}
	}
	for _, g := range i.SecurityGroups {
		groups[aws.ToString(g.GroupId)] = true
	}
	for g := range groups {
		s.SecurityGroupIDs = append(s.SecurityGroupIDs, g)
	}
	sort.Strings(s.SecurityGroupIDs)
	for _, b := range i.BlockDeviceMappings {
		if aws.ToString(b.DeviceName) == s.RootDeviceName && b.Ebs != nil {
			s.Root = &Volume{ID: aws.ToString(b.Ebs.VolumeId), DeleteOnTermination: aws.ToBool(b.Ebs.DeleteOnTermination)}
		}
	}
	return s
}

// Provisioned-IOPS volumes (io1, io2) must be given their IOPS. The provider asks for 50 per GiB, the most
// io1 allows, from 100 (the minimum) up to 3000 (the baseline of gp3).
const (
	iopsPerGB = 50
	minIOPS   = 100
	maxIOPS   = 3000
)

// provisionedIOPS returns the IOPS to request for a root volume, nil for types that take none.
func provisionedIOPS(volumeType string, sizeGB int32) *int32 {
	if volumeType != string(ec2types.VolumeTypeIo1) && volumeType != string(ec2types.VolumeTypeIo2) {
		return nil
	}
	return aws.Int32(min(max(sizeGB*iopsPerGB, minIOPS), maxIOPS))
}

func clientToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a client token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func ec2Tags(tags map[string]string) []ec2types.Tag {
	return tagList(tags, func(k, v string) ec2types.Tag {
		return ec2types.Tag{Key: aws.String(k), Value: aws.String(v)}
	})
}
