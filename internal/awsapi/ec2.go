package awsapi

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ServerInput is what the provider asks for when it launches an instance. Everything the provider enforces
// (IMDSv2 only, no public IP address, an encrypted root volume deleted on termination, stop on
// instance-initiated shutdown; see ec2_guarantees.go) is not configurable and set by RunServer itself.
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

	// Unfinished is the fingerprint of the create that launched the instance and has not finished it (see
	// CreatingTag), "" for a finished server.
	Unfinished string
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
	s.Unfinished = unfinished(s.Tags)
	delete(s.Tags, ManagedTag)
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

// SHA256Hex is how the provider fingerprints user data: the hex SHA-256 of its bytes.
func SHA256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func ec2Tags(tags map[string]string) []ec2types.Tag {
	return tagList(tags, func(k, v string) ec2types.Tag {
		return ec2types.Tag{Key: aws.String(k), Value: aws.String(v)}
	})
}

// How often the waiters poll. The SDK's defaults start at 15 seconds, which makes every create and destroy
// of a server take at least that long; most instances start or stop within a few seconds.
const (
	waitMinDelay = 2 * time.Second
	waitMaxDelay = 15 * time.Second
)
