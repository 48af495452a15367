//! What each role may do, in one table. The service layer checks one `Action` per operation
//! (`TenantContext::require`); the UI asks the same table only to hide what would be refused.

use crate::domain::account::Role;
use crate::domain::token::TokenScope;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// List, search, open contacts; their history; jobs and imports as records.
    ReadContacts,
    /// Create, edit, delete contacts, one by one or in bulk; cancel jobs.
    WriteContacts,
    ImportContacts,
    ExportContacts,
    /// Save, rename, delete the workspace's shared views.
    ManageViews,
    /// See who is in the workspace.
    ReadMembers,
    /// See pending invitations (who is about to join).
    ReadInvitations,
    /// Invite, change roles, remove members.
    ManageMembers,
    /// Create and revoke one's own API tokens.
    ManageOwnTokens,
    /// See and revoke everyone's API tokens.
    ManageAllTokens,
    /// Delete the workspace and everything in it.
    DeleteWorkspace,
}

impl Action {
    pub const ALL: [Action; 11] = [
        Action::ReadContacts,
        Action::WriteContacts,
        Action::ImportContacts,
        Action::ExportContacts,
        Action::ManageViews,
        Action::ReadMembers,
        Action::ReadInvitations,
        Action::ManageMembers,
        Action::ManageOwnTokens,
        Action::ManageAllTokens,
        Action::DeleteWorkspace,
    ];

    /// Whether the action changes anything (a `read` token may do only those that do not).
    pub fn writes(self) -> bool {
        !matches!(
            self,
            Action::ReadContacts
                | Action::ExportContacts
                | Action::ReadMembers
                | Action::ReadInvitations
        )
    }

    /// Said in a 403, after "Your role cannot …".
    pub fn describe(self) -> &'static str {
        match self {
            Action::ReadContacts => "read contacts",
            Action::WriteContacts => "change contacts",
            Action::ImportContacts => "import contacts",
            Action::ExportContacts => "export contacts",
            Action::ManageViews => "change saved views",
            Action::ReadMembers => "see members",
            Action::ReadInvitations => "see invitations",
            Action::ManageMembers => "manage members and invitations",
            Action::ManageOwnTokens => "manage API tokens",
            Action::ManageAllTokens => "manage other members' API tokens",
            Action::DeleteWorkspace => "delete the workspace",
        }
    }
}

impl Role {
    /// The table: owners everything; admins all but deleting the workspace (and granting or
    /// taking the owner role, checked where roles change); members work on contacts; viewers read.
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Owner => true,
            Role::Admin => action != DeleteWorkspace,
            Role::Member => !matches!(
                action,
                ReadInvitations | ManageMembers | ManageAllTokens | DeleteWorkspace
            ),
            Role::Viewer => matches!(action, ReadContacts | ReadMembers | ManageOwnTokens),
        }
    }

    /// The token scopes this role may create: a viewer's tokens can only read.
    pub fn may_create_scope(self, scope: TokenScope) -> bool {
        scope == TokenScope::Read || self.may(Action::WriteContacts)
    }
}

/// Whether a credential with `role` (and, for a token, its `scope`) may do `action`.
pub fn allowed(role: Role, scope: Option<TokenScope>, action: Action) -> bool {
    role.may(action) && !(scope == Some(TokenScope::Read) && action.writes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_what_they_may_do() {
        // Each role may do everything the next one may.
        for pair in Role::ALL.windows(2) {
            for action in Action::ALL {
                assert!(
                    !pair[1].may(action) || pair[0].may(action),
                    "{:?} may {action:?} but {:?} may not",
                    pair[1],
                    pair[0]
                );
            }
        }
        assert!(!Role::Viewer.may(Action::ExportContacts));
        assert!(!Role::Viewer.may(Action::WriteContacts));
        assert!(Role::Member.may(Action::ImportContacts));
        assert!(!Role::Member.may(Action::ManageMembers));
        assert!(Role::Admin.may(Action::ManageAllTokens));
        assert!(!Role::Admin.may(Action::DeleteWorkspace));
        assert!(Role::Owner.may(Action::DeleteWorkspace));
    }

    #[test]
    fn a_read_token_only_reads() {
        for action in Action::ALL {
            assert_eq!(
                allowed(Role::Owner, Some(TokenScope::Read), action),
                !action.writes(),
                "{action:?}"
            );
            assert!(allowed(Role::Owner, Some(TokenScope::Write), action));
        }
        assert!(!Role::Viewer.may_create_scope(TokenScope::Write));
        assert!(Role::Viewer.may_create_scope(TokenScope::Read));
    }
}
