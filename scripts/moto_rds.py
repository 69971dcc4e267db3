"""moto_rds.py: moto's RDS as RDS answers, where the provider's waiters and its database move depend on it.
moto-tls.py imports it; importing it patches moto.

moto answers every RDS call at once: an instance is available as soon as CreateDBInstance or RestoreDBInstanceFromDBSnapshot returns, a deleted one is
gone at once (DBInstanceNotFound), a snapshot is available as soon as it is made, an engine upgrade is done as
soon as ModifyDBInstance returns. AWS takes minutes, and reports the way: an instance goes creating, then
backing-up, then available; a deleted one is deleting until it is gone; a snapshot (a final one, a copy) is
creating before it is available; an upgrade shows upgrading. Here each of these states is shown to the first
DescribeDBInstances or DescribeDBSnapshots that names the instance or snapshot (listings, and the describes
moto's other operations make internally, show the state without moving it on), so the waiters are exercised
with few polls: created and restored instances are creating, then backing-up;
deleted instances are deleting once; new snapshots and upgrades show their state once. And moto's
RestoreDBInstanceFromDBSnapshot takes only the parameters that are true, so AutoMinorVersionUpgrade=false and
PubliclyAccessible=false are ignored; AWS honours both, and so does the restore here. Last, moto gives every DB
instance the same resource id (DbiResourceId, db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U), where AWS gives each new instance,
a restored one included, an id of its own: the provider names a database's final snapshot by it, and a test
tells a replaced database from the old one by it, so here each instance gets a random one.
"""

import contextvars
import random
import string

from moto.rds.exceptions import DBInstanceNotFoundError
from moto.rds.models import RDSBackend
from moto.rds.responses import RDSResponse

# Each entry is the states an instance or snapshot still shows, one per describe, before its steady state; keyed by (kind, account, region, identifier) so that nothing of moto's objects is changed.
_rds_pending = {}
# Instances deleted but still reported, with how many describes still see them, keyed as above.
_rds_deleting = {}
# Whether the backend call being served is the answer to a DescribeDBInstances or DescribeDBSnapshots: only
# those count, not the describes moto's other operations make internally.
_rds_describing = contextvars.ContextVar("rds_describing", default=False)

RDS_CREATE_STATES = ("creating", "backing-up")
# Resource ids are random, as at AWS; the generator is the module's own so tests of other code see no change.
_rds_random = random.Random()
RDS_DELETE_DESCRIBES = 1
RDS_SNAPSHOT_STATES = ("creating",)
RDS_UPGRADE_STATES = ("upgrading",)
RDS_STEADY = {"creating", "backing-up", "upgrading"}


def _rds_key(kind, backend, identifier):
    return (kind, backend.account_id, backend.region_name, (identifier or "").lower())


def _rds_describe(response_method):
    """An RDSResponse describe that marks its backend calls as answering a describe."""
    def describe(self):
        token = _rds_describing.set(True)
        try:
            return response_method(self)
        finally:
            _rds_describing.reset(token)
    return describe


def _rds_show(kind, backend, obj, identifier, steady):
    """Sets obj's status to the next state it still shows, or back to steady once they are shown."""
    states = _rds_pending.get(_rds_key(kind, backend, identifier))
    if states:
        obj.status = states.pop(0)
    elif obj.status in RDS_STEADY:
        obj.status = steady


_rds_create_db_instance = RDSBackend.create_db_instance


def rds_create_db_instance(self, db_kwargs):
    """RDSBackend.create_db_instance, which CreateDBInstance and RestoreDBInstanceFromDBSnapshot end in, with the
    instance shown creating, then backing-up, before it is available, and a resource id of its own."""
    database = _rds_create_db_instance(self, db_kwargs)
    database.dbi_resource_id = "db-" + "".join(_rds_random.choices(string.ascii_uppercase + string.digits, k=26))
    _rds_pending[_rds_key("instance", self, database.db_instance_identifier)] = list(RDS_CREATE_STATES)
    _rds_deleting.pop(_rds_key("instance", self, database.db_instance_identifier), None)
    database.status = RDS_CREATE_STATES[0]
    return database


_rds_restore = RDSBackend.restore_db_instance_from_db_snapshot


def rds_restore_db_instance_from_db_snapshot(self, from_snapshot_id, overrides):
    """RDSBackend.restore_db_instance_from_db_snapshot that honours AutoMinorVersionUpgrade and
    PubliclyAccessible, as AWS does; moto takes only the parameters that are true, so false keeps the
    snapshot's instance's setting, and PubliclyAccessible reads back as null."""
    database = _rds_restore(self, from_snapshot_id, overrides)
    for name in ("auto_minor_version_upgrade", "publicly_accessible"):
        value = overrides.get(name)
        if value is not None:
            setattr(database, name, value in (True, "true", "True"))
    return database


_rds_modify_db_instance = RDSBackend.modify_db_instance


def rds_modify_db_instance(self, db_instance_identifier, db_kwargs):
    """RDSBackend.modify_db_instance with an engine upgrade shown as upgrading once, as AWS shows it."""
    before = self.databases.get(db_instance_identifier)
    old_version = before.engine_version if before is not None else None
    database = _rds_modify_db_instance(self, db_instance_identifier, db_kwargs)
    version = db_kwargs.get("engine_version")
    if version and version != old_version:
        _rds_pending[_rds_key("instance", self, database.db_instance_identifier)] = list(RDS_UPGRADE_STATES)
    return database


_rds_delete_db_instance = RDSBackend.delete_db_instance


def rds_delete_db_instance(self, db_instance_identifier, final_db_snapshot_identifier=None, skip_final_snapshot=False,
                           delete_automated_backups=True):
    """RDSBackend.delete_db_instance with the instance still described as deleting, and its final snapshot as
    creating, for their first describes, as AWS shows them."""
    database = _rds_delete_db_instance(self, db_instance_identifier, final_db_snapshot_identifier,
                                       skip_final_snapshot, delete_automated_backups)
    _rds_pending.pop(_rds_key("instance", self, db_instance_identifier), None)
    _rds_deleting[_rds_key("instance", self, db_instance_identifier)] = [database, RDS_DELETE_DESCRIBES]
    if final_db_snapshot_identifier and not skip_final_snapshot:
        _rds_pending[_rds_key("snapshot", self, final_db_snapshot_identifier)] = list(RDS_SNAPSHOT_STATES)
        snapshot = self.database_snapshots.get(final_db_snapshot_identifier)
        if snapshot is not None:
            snapshot.status = RDS_SNAPSHOT_STATES[0]
    return database


_rds_copy_db_snapshot = RDSBackend.copy_db_snapshot


def rds_copy_db_snapshot(self, source_db_snapshot_identifier, target_db_snapshot_identifier, *args, **kwargs):
    """RDSBackend.copy_db_snapshot with the copy described as creating at first, as AWS shows it."""
    snapshot = _rds_copy_db_snapshot(self, source_db_snapshot_identifier, target_db_snapshot_identifier, *args, **kwargs)
    _rds_pending[_rds_key("snapshot", self, target_db_snapshot_identifier)] = list(RDS_SNAPSHOT_STATES)
    snapshot.status = RDS_SNAPSHOT_STATES[0]
    return snapshot


_rds_describe_db_instances = RDSBackend.describe_db_instances


def rds_describe_db_instances(self, db_instance_identifier=None, filters=None):
    """RDSBackend.describe_db_instances that, answering a DescribeDBInstances of one instance, moves it on by one
    state, and still reports a deleted instance, deleting, to the describes that name it. A listing shows each
    instance as it is, so that tests listing at the same time do not move other tests' instances on."""
    if not _rds_describing.get() or not db_instance_identifier:
        return _rds_describe_db_instances(self, db_instance_identifier, filters)
    try:
        found = _rds_describe_db_instances(self, db_instance_identifier, filters)
    except DBInstanceNotFoundError:
        gone = _rds_deleting.get(_rds_key("instance", self, db_instance_identifier))
        if not gone or gone[1] <= 0:
            raise
        gone[1] -= 1
        gone[0].status = "deleting"
        return [gone[0]]
    for database in found:
        _rds_show("instance", self, database, database.db_instance_identifier, "available")
    return found


_rds_describe_db_snapshots = RDSBackend.describe_db_snapshots


def rds_describe_db_snapshots(self, db_instance_identifier, db_snapshot_identifier=None, snapshot_type=None,
                              filters=None):
    """RDSBackend.describe_db_snapshots that, answering a DescribeDBSnapshots of one snapshot, moves it on by one
    state; a listing shows each snapshot as it is."""
    found = _rds_describe_db_snapshots(self, db_instance_identifier, db_snapshot_identifier, snapshot_type, filters)
    if _rds_describing.get() and db_snapshot_identifier:
        for snapshot in found:
            _rds_show("snapshot", self, snapshot, snapshot.db_snapshot_identifier, "available")
    return found


RDSBackend.create_db_instance = rds_create_db_instance
RDSBackend.restore_db_instance_from_db_snapshot = rds_restore_db_instance_from_db_snapshot
RDSBackend.modify_db_instance = rds_modify_db_instance
RDSBackend.delete_db_instance = rds_delete_db_instance
RDSBackend.copy_db_snapshot = rds_copy_db_snapshot
RDSBackend.describe_db_instances = rds_describe_db_instances
RDSBackend.describe_db_snapshots = rds_describe_db_snapshots
RDSResponse.describe_db_instances = _rds_describe(RDSResponse.describe_db_instances)
RDSResponse.describe_db_snapshots = _rds_describe(RDSResponse.describe_db_snapshots)
