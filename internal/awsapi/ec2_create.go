package awsapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

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

// RunServer launches one instance, marked as made by the unfinished create fp (see CreatingTag), and
// returns it as RunInstances reports it: the id, placement and network are known, the state is usually
// still pending. The caller saves the id before waiting; FinishServer ends the create.
func (c *Clients) RunServer(ctx context.Context, in ServerInput, fp string) (*Server, error) {
	device, err := c.rootDeviceName(ctx, in.ImageID)
	if err != nil {
		return nil, err
	}
	token, err := clientToken()
	if err != nil {
		return nil, err
	}
	input := runInstancesInput(in, device, token, serverGuarantees)
	marked(input, fp)
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

// ManagedTag is on every instance gdpr_server launches, from the launch on: it tells the servers the provider
// made from all others, so that gdpr_isolate_server refuses, unless told otherwise, an instance id that names
// someone else's server. Its value is the resource type. Reads leave it out of the server's tags.
const ManagedTag = "gdpr:managed-by"

// managedBy is ManagedTag's value.
const managedBy = "gdpr_server"

// marked adds the creation marker and ManagedTag to the instance's tags in the launch request itself, so
// that no instance is ever running without the marker before its create has finished, nor without
// ManagedTag at all.
func marked(input *ec2.RunInstancesInput, fp string) {
	tags := []ec2types.Tag{
		{Key: aws.String(CreatingTag), Value: aws.String(fp)},
		{Key: aws.String(ManagedTag), Value: aws.String(managedBy)},
	}
	for i := range input.TagSpecifications {
		if input.TagSpecifications[i].ResourceType == ec2types.ResourceTypeInstance {
			input.TagSpecifications[i].Tags = append(input.TagSpecifications[i].Tags, tags...)
			return
		}
	}
	input.TagSpecifications = append(input.TagSpecifications, ec2types.TagSpecification{
		ResourceType: ec2types.ResourceTypeInstance, Tags: tags,
	})
}

// UnfinishedServer returns the id of an instance that an interrupted create with fingerprint fp launched
// and never finished, and takes it out of the pool so no other create finishes it too; "" when there is
// none. The first call of a provider process asks EC2 for every such instance of the region at once.
func (c *Clients) UnfinishedServer(ctx context.Context, fp string) (string, error) {
	return c.pools.servers.claim(ctx, fp, c.unfinishedServers)
}

// unfinishedServers lists the region's pending and running instances that carry the creation marker.
func (c *Clients) unfinishedServers(ctx context.Context) ([]Leftover, error) {
	var found []Leftover
	pages := ec2.NewDescribeInstancesPaginator(c.ec2.describeInstances, &ec2.DescribeInstancesInput{
		Filters: []ec2types.Filter{
			{Name: aws.String("tag-key"), Values: []string{CreatingTag}},
			// A create leaves an instance pending or running; one stopped since was touched by someone and
			// is not taken over without a look (its marker still shows it on a read).
			{Name: aws.String("instance-state-name"), Values: []string{
				string(ec2types.InstanceStateNamePending), string(ec2types.InstanceStateNameRunning),
			}},
		},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				s := c.server("", i)
				if s.Unfinished != "" {
					found = append(found, Leftover{ID: s.ID, Fingerprint: s.Unfinished, Created: aws.ToTime(i.LaunchTime)})
				}
			}
		}
	}
	return found, nil
}

// FinishServer removes the creation marker: the create of s is complete.
func (c *Clients) FinishServer(ctx context.Context, s *Server) error {
	_, err := c.ec2.deleteTags(ctx, &ec2.DeleteTagsInput{
		Resources: []string{s.ID},
		Tags:      []ec2types.Tag{{Key: aws.String(CreatingTag)}},
	})
	if err != nil {
		return err
	}
	s.Unfinished = ""
	return nil
}

// runInstancesInput is the request that launches in with its root volume at device: the arguments, then
// what each of the guarantees gs asks for (see ec2_guarantees.go). Tests leave a guarantee out of gs.
func runInstancesInput(in ServerInput, device, token string, gs []*serverGuarantee) *ec2.RunInstancesInput {
	nic := ec2types.InstanceNetworkInterfaceSpecification{
		DeviceIndex:         aws.Int32(0),
		DeleteOnTermination: aws.Bool(true),
		Groups:              in.SecurityGroupIDs,
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
				KmsKeyId:   aws.String(in.KMSKeyARN),
				VolumeSize: aws.Int32(in.RootVolumeSizeGB),
				VolumeType: ec2types.VolumeType(in.RootVolumeType),
				Iops:       provisionedIOPS(in.RootVolumeType, in.RootVolumeSizeGB),
			},
		}},
		NetworkInterfaces: []ec2types.InstanceNetworkInterfaceSpecification{nic},
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
	for _, g := range gs {
		if g.launch != nil {
			g.launch(input)
		}
	}
	return input
}

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
