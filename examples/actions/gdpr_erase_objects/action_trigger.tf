# An erasure request kept in the configuration: adding it erases the subject's
# objects in the same apply that creates it, and the request stays on record
# in the state and in version control.
resource "terraform_data" "erasure_request_4711" {
  input = "customers/4711/"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.gdpr_erase_objects.subject_4711]
    }
  }
}
