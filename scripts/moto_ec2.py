"""moto_ec2.py: moto's EC2 as EC2 answers, where isolating a server for forensics (gdpr_isolate_server) and
reading it back depend on it. moto-tls.py imports it; importing it patches moto.

Security groups. In EC2 an instance's security groups are those of its primary network interface (device index
0): ModifyNetworkInterfaceAttribute on that interface changes what DescribeInstances reports for the instance,
ModifyInstanceAttribute's groups change that interface, and each other interface has groups of its own. moto
keeps the instance's groups apart from its interfaces': an instance launched with a network interface
specification reports no group at all, a change to the primary interface is not the instance's, and every
interface reports the instance's groups on top of its own, so an interface moved into an isolation group
still showed the groups it left. Here the instance's groups are its primary interface's, both ways, and an
interface reports its own groups only.

Snapshots. EC2 encrypts a snapshot of an encrypted volume under the volume's KMS key, and a copy under the key
the request names or, when it names none, the source's; moto records no key for a snapshot and none for a copy
that names none, so a snapshot under the wrong key would pass any test. Here both carry the key EC2 gives
them. And EC2 takes a while to complete a snapshot: it is pending first. moto completes it at once, which
would let code that copies or reads a snapshot before it is complete pass; here a new snapshot is pending to
the first DescribeSnapshots that names it by id (a filtered listing shows it without moving it on), and
completed from the next.
"""

from moto.ec2.models.elastic_block_store import EBSBackend, Snapshot
from moto.ec2.models.elastic_network_interfaces import NetworkInterface
from moto.ec2.models.instances import Instance
from moto.ec2.responses.elastic_block_store import ElasticBlockStore


def _instance_groups(self):
    """An instance's security groups: its primary network interface's, as EC2 reports them."""
    primary = (self.__dict__.get("nics") or {}).get(0)
    if primary is not None:
        return list(primary._group_set)
    return self.__dict__.get("_ec2_security_groups", [])


def _set_instance_groups(self, groups):
    """Setting an instance's groups (at launch, by ModifyInstanceAttribute) sets its primary interface's."""
    groups = list(groups or [])
    self.__dict__["_ec2_security_groups"] = groups
    primary = (self.__dict__.get("nics") or {}).get(0)
    if primary is not None and groups:
        primary._group_set = groups


Instance.security_groups = property(_instance_groups, _set_instance_groups)
NetworkInterface.group_set = property(lambda self: self._group_set)

_snapshot_init = Snapshot.__init__


def _snapshot_init_pending(self, *args, **kwargs):
    _snapshot_init(self, *args, **kwargs)
    self.status = "pending"
    self._ec2_pending_shown = False


Snapshot.__init__ = _snapshot_init_pending

_create_snapshot = EBSBackend.create_snapshot


def create_snapshot(self, volume_id, description, owner_id=None, from_ami=None):
    """EBSBackend.create_snapshot, encrypted under the volume's key as EC2 does."""
    snapshot = _create_snapshot(self, volume_id, description, owner_id=owner_id, from_ami=from_ami)
    volume = snapshot.volume
    if getattr(volume, "encrypted", False) and getattr(volume, "kms_key_id", None):
        snapshot.kms_key_id = volume.kms_key_id
    if from_ami:
        # An image's snapshots exist before anyone asks: they are complete.
        snapshot.status = "completed"
    return snapshot


EBSBackend.create_snapshot = create_snapshot

_copy_snapshot = EBSBackend.copy_snapshot


def copy_snapshot(self, source_snapshot_id, source_region, description, kms_key_id):
    """EBSBackend.copy_snapshot: a copy that names no key keeps the source's, as EC2 does."""
    from moto.ec2.models import ec2_backends

    source = ec2_backends[self.account_id][source_region].get_snapshot(source_snapshot_id)
    snapshot = _copy_snapshot(self, source_snapshot_id, source_region, description, kms_key_id)
    if not kms_key_id and source.encrypted:
        snapshot.kms_key_id = source.kms_key_id
        snapshot.encrypted = True
    return snapshot


EBSBackend.copy_snapshot = copy_snapshot

_describe_snapshots_response = ElasticBlockStore.describe_snapshots


def describe_snapshots(self):
    """ElasticBlockStore.describe_snapshots: a pending snapshot named by id is shown pending once."""
    ids = self._get_param("SnapshotIds", [])
    if ids:
        for snapshot in self.ec2_backend.snapshots.values():
            if snapshot.id in ids and snapshot.status == "pending":
                if snapshot._ec2_pending_shown:
                    snapshot.status = "completed"
                else:
                    snapshot._ec2_pending_shown = True
    return _describe_snapshots_response(self)


ElasticBlockStore.describe_snapshots = describe_snapshots
