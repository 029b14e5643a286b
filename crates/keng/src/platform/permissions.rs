//! The permission matrix: the one place that decides who may do what to which record.
//! Every handler asks [`allowed`] (through `Ctx::require`); templates only hide links.
//! Embargo and publication visibility for public surfaces will live beside it.
//!
//! A decision depends on the actor's role (and unit or agency), the action, and who owns
//! the record: nobody, a user, a unit (given with its ancestors, so an officer of a
//! department may act for the units under it) or a press agency.

use serde::{Deserialize, Serialize};

/// Roles of Kẻng's users. `Public` is the anonymous visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Leader,
    Spokesperson,
    PressOfficer,
    UnitOfficer,
    Journalist,
    Public,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Leader,
        Role::Spokesperson,
        Role::PressOfficer,
        Role::UnitOfficer,
        Role::Journalist,
        Role::Public,
    ];
    /// Roles an account can have (the public has no account).
    pub const ACCOUNTS: [Role; 6] = [
        Role::Admin,
        Role::Leader,
        Role::Spokesperson,
        Role::PressOfficer,
        Role::UnitOfficer,
        Role::Journalist,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Leader => "leader",
            Role::Spokesperson => "spokesperson",
            Role::PressOfficer => "press_officer",
            Role::UnitOfficer => "unit_officer",
            Role::Journalist => "journalist",
            Role::Public => "public",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// Police staff (everyone with an account but journalists).
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Journalist | Role::Public)
    }
}

/// What someone wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    // platform
    ViewUsers,
    ManageUsers,
    ViewUnits,
    ManageUnits,
    ViewAgencies,
    ManageAgencies,
    ViewAccreditationQueue,
    AccreditJournalist,
    SuspendJournalist,
    RevokeJournalist,
    ViewAudit,
    ViewOwnProfile,
    ManageOwnProfile,
    ViewUser,
    // newsroom
    ViewNewsroomDesk,
    DraftBulletin,
    ApproveBulletin,
    PublishBulletin,
    ReadPressOnly,
    /// Set a press agency's webhook endpoint and read its delivery log.
    ManageAgencyWebhook,
    /// Read all deliveries, replay dead letters.
    ManageDeliveries,
    // press desk
    SubmitPressRequest,
    ViewPressRequest,
    AnswerPressRequest,
    ReceiveFieldWork,
    /// Declare days off and make-up working days in the calendar the clocks run on.
    ManageWorkCalendar,
    /// Ask a press agency to publish a correction or a response, track and withdraw it.
    RequestCorrection,
    /// Read a correction request (the press office, or the agency's editors).
    ViewCorrection,
    /// Acknowledge, publish or decline a correction request to one's own agency.
    AnswerCorrection,
    // warnings and figures
    /// Write a warning and submit it.
    DraftWarning,
    /// Approve a warning someone else wrote (four eyes), update a published one.
    ApproveWarning,
    /// Publish an approved warning, cancel a published one.
    PublishWarning,
    /// See the warnings desk (drafts, test warnings, every version).
    ViewWarningsDesk,
    /// Enter or upload a unit's figures (its own unit and those under it).
    ReportFigures,
    /// Read every unit's figures in any state, reports and the leader's dashboard.
    ViewFigures,
    /// Approve or send back figures someone else submitted (four eyes).
    ApproveFigures,
    /// Choose approved figures for the public page and the open API.
    PublishFigures,
    /// Keep the catalogue of what is counted (fields of work and their measures).
    ManageStatsCatalogue,
    /// Create and edit peak campaigns (đợt cao điểm) and their targets.
    ManageCampaigns,
    // scam check
    /// See the scam desk: indicators in every state, reports from the public.
    ViewScamDesk,
    /// Add indicators, verify, publish, reject, expire them; triage reports.
    ModerateScam,
    /// Keep the scam-pattern lexicon.
    ManageScamRules,
    /// Keep the bank list (BINs and names) the check recognises.
    ManageBanks,
    // coverage and the yearly review
    /// See the press monitoring: feeds, articles, coverage and the review queue.
    ViewCoverage,
    /// Register agencies' feeds, confirm or reject matches, record coverage by hand.
    ManageCoverage,
    /// Record and revoke commendations for the coordination with the press.
    SignCommendation,
    /// Answer the yearly survey on the coordination for one's agency (only its editors
    /// do: checked on the account).
    AnswerPressSurvey,
    /// Keep the kinds of commendation (add one, retire one).
    ManageAwardTypes,
}

/// Who owns the record an action touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// Not owned (a registry, the public site).
    None,
    /// A user's own record (their profile, their token).
    User(String),
    /// A unit, with its ancestors: `[unit, parent, grandparent, …]`.
    Unit(Vec<String>),
    /// A press agency.
    Agency(String),
    /// A record with several owners: the person who made it, their agency (which its
    /// editors answer for) and the unit in charge of it (with its ancestors). Its maker
    /// owns it, so do the officers of the unit in charge, and the agency's editors — not
    /// the agency's other journalists.
    Record {
        user: Option<String>,
        agency: Option<String>,
        unit: Vec<String>,
    },
}

/// The actor as the matrix sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<String>,
    pub role: Role,
    pub unit_id: Option<String>,
    pub agency_id: Option<String>,
    pub is_editor: bool,
}

impl Actor {
    pub fn public() -> Actor {
        Actor {
            user_id: None,
            role: Role::Public,
            unit_id: None,
            agency_id: None,
            is_editor: false,
        }
    }

    fn owns(&self, owner: &Owner) -> bool {
        match owner {
            Owner::None => false,
            Owner::User(u) => self.user_id.as_deref() == Some(u.as_str()),
            Owner::Unit(path) => self
                .unit_id
                .as_ref()
                .is_some_and(|mine| path.iter().any(|u| u == mine)),
            Owner::Agency(a) => self.agency_id.as_deref() == Some(a.as_str()),
            Owner::Record { user, agency, unit } => {
                (user.is_some() && self.user_id == *user)
                    || self
                        .unit_id
                        .as_ref()
                        .is_some_and(|mine| unit.iter().any(|u| u == mine))
                    || (self.is_editor && agency.is_some() && self.agency_id == *agency)
            }
        }
    }
}

/// May `actor` do `action` to a record owned by `owner`?
pub fn allowed(actor: &Actor, action: Action, owner: &Owner) -> bool {
    use Action::*;
    use Role::*;
    let role = actor.role;
    let own = actor.owns(owner);
    match action {
        ViewUsers | ViewUnits | ViewAgencies => role.is_staff(),
        ManageUsers | ManageUnits => role == Admin,
        ManageAgencies => matches!(role, Admin | PressOfficer),
        ViewAccreditationQueue | AccreditJournalist | SuspendJournalist => {
            matches!(role, Admin | PressOfficer)
        }
        RevokeJournalist => matches!(role, Admin | PressOfficer | Leader),
        ViewAudit => matches!(role, Admin | Leader),
        ViewOwnProfile | ManageOwnProfile => role != Public && own,
        ViewUser => role.is_staff() || (role != Public && own),
        DraftBulletin => {
            matches!(role, Admin | Leader | Spokesperson | PressOfficer)
                || (role == UnitOfficer && (own || *owner == Owner::None))
        }
        ViewNewsroomDesk => role.is_staff(),
        ApproveBulletin => matches!(role, Leader | Spokesperson),
        PublishBulletin => matches!(role, Leader | Spokesperson | PressOfficer),
        ReadPressOnly => role.is_staff() || role == Journalist,
        ManageAgencyWebhook => {
            matches!(role, Admin | PressOfficer) || (role == Journalist && actor.is_editor && own)
        }
        ManageDeliveries => matches!(role, Admin | PressOfficer),
        SubmitPressRequest => role == Journalist && (own || *owner == Owner::None),
        ViewPressRequest => {
            matches!(role, Admin | Leader | Spokesperson | PressOfficer)
                || (matches!(role, Journalist | UnitOfficer) && own)
        }
        AnswerPressRequest => matches!(role, Leader | Spokesperson | PressOfficer),
        ReceiveFieldWork => role == PressOfficer || (role == UnitOfficer && own),
        ManageWorkCalendar => matches!(role, Admin | PressOfficer),
        RequestCorrection => matches!(role, Leader | Spokesperson | PressOfficer),
        ViewCorrection => {
            matches!(role, Admin | Leader | Spokesperson | PressOfficer)
                || (role == Journalist && actor.is_editor && own)
        }
        AnswerCorrection => role == Journalist && actor.is_editor && own,
        DraftWarning => {
            matches!(role, Leader | Spokesperson | PressOfficer) || (role == UnitOfficer && own)
        }
        ApproveWarning => matches!(role, Leader | Spokesperson),
        PublishWarning => matches!(role, Leader | Spokesperson | PressOfficer),
        ViewWarningsDesk => role.is_staff(),
        ReportFigures => matches!(role, Admin | PressOfficer) || (role == UnitOfficer && own),
        ViewFigures => role.is_staff(),
        ApproveFigures => role == Leader,
        PublishFigures => matches!(role, Leader | Spokesperson),
        ManageStatsCatalogue => role == Admin,
        ManageCampaigns => matches!(role, Leader | Spokesperson | PressOfficer),
        ViewScamDesk => role.is_staff(),
        ModerateScam => matches!(role, Leader | Spokesperson | PressOfficer),
        ManageScamRules => matches!(role, Admin | PressOfficer),
        ManageBanks => role == Admin,
        ViewCoverage => role.is_staff(),
        ManageCoverage => matches!(role, Admin | PressOfficer),
        SignCommendation => role == Leader,
        AnswerPressSurvey => role == Journalist,
        ManageAwardTypes => matches!(role, Admin | Leader),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: Some(format!("user-{}", role.as_str())),
            role,
            unit_id: (role == Role::UnitOfficer).then(|| "unit-commune-a".to_string()),
            agency_id: (role == Role::Journalist).then(|| "agency-a".to_string()),
            is_editor: false,
        }
    }

    fn unit(id: &str) -> Owner {
        // every commune unit sits under the provincial department
        Owner::Unit(vec![id.to_string(), "unit-province".to_string()])
    }

    /// (role, action, owner, expected). One row per case the matrix must hold.
    fn table() -> Vec<(Role, Action, Owner, bool)> {
        use Role::*;
        let mine = |r: Role| Owner::User(format!("user-{}", r.as_str()));
        let other_user = Owner::User("someone-else".into());
        let own_agency = Owner::Agency("agency-a".into());
        let other_agency = Owner::Agency("agency-b".into());
        let mut rows = vec![
            // registries: staff read, admin manages units and users
            (Admin, ManageUsers, Owner::None, true),
            (Leader, ManageUsers, Owner::None, false),
            (PressOfficer, ManageUsers, Owner::None, false),
            (Journalist, ManageUsers, Owner::None, false),
            (Public, ManageUsers, Owner::None, false),
            (Admin, ManageUnits, Owner::None, true),
            (UnitOfficer, ManageUnits, Owner::None, false),
            (PressOfficer, ManageAgencies, Owner::None, true),
            (Admin, ManageAgencies, Owner::None, true),
            (Spokesperson, ManageAgencies, Owner::None, false),
            (Journalist, ManageAgencies, Owner::None, false),
            (UnitOfficer, ViewUnits, Owner::None, true),
            (Journalist, ViewUsers, Owner::None, false),
            (Public, ViewAgencies, Owner::None, false),
            // accreditation
            (PressOfficer, AccreditJournalist, Owner::None, true),
            (Admin, AccreditJournalist, Owner::None, true),
            (Leader, AccreditJournalist, Owner::None, false),
            (Spokesperson, AccreditJournalist, Owner::None, false),
            (UnitOfficer, AccreditJournalist, Owner::None, false),
            (Journalist, AccreditJournalist, Owner::None, false),
            (Leader, RevokeJournalist, Owner::None, true),
            (Journalist, RevokeJournalist, Owner::None, false),
            (UnitOfficer, SuspendJournalist, Owner::None, false),
            // audit
            (Admin, ViewAudit, Owner::None, true),
            (Leader, ViewAudit, Owner::None, true),
            (PressOfficer, ViewAudit, Owner::None, false),
            (Journalist, ViewAudit, Owner::None, false),
            (Public, ViewAudit, Owner::None, false),
            // own profile only
            (Journalist, ManageOwnProfile, mine(Journalist), true),
            (Journalist, ManageOwnProfile, other_user.clone(), false),
            (Admin, ManageOwnProfile, other_user.clone(), false),
            (Public, ManageOwnProfile, Owner::None, false),
            (Journalist, ViewUser, other_user.clone(), false),
            (Journalist, ViewUser, mine(Journalist), true),
            (PressOfficer, ViewUser, other_user.clone(), true),
            // newsroom
            (PressOfficer, DraftBulletin, Owner::None, true),
            (UnitOfficer, DraftBulletin, unit("unit-commune-a"), true),
            (UnitOfficer, DraftBulletin, unit("unit-commune-b"), false),
            (Journalist, DraftBulletin, Owner::None, false),
            (Leader, ApproveBulletin, Owner::None, true),
            (PressOfficer, DraftWarning, Owner::None, true),
            (Journalist, DraftWarning, Owner::None, false),
            (UnitOfficer, DraftWarning, Owner::None, false),
            (Leader, ApproveWarning, Owner::None, true),
            (Spokesperson, ApproveWarning, Owner::None, true),
            (PressOfficer, ApproveWarning, Owner::None, false),
            (Admin, ApproveWarning, Owner::None, false),
            (PressOfficer, PublishWarning, Owner::None, true),
            (UnitOfficer, PublishWarning, Owner::None, false),
            (Journalist, ViewWarningsDesk, Owner::None, false),
            (Public, ViewWarningsDesk, Owner::None, false),
            (UnitOfficer, ViewWarningsDesk, Owner::None, true),
            (Spokesperson, ApproveBulletin, Owner::None, true),
            (PressOfficer, ApproveBulletin, Owner::None, false),
            (Admin, ApproveBulletin, Owner::None, false),
            (PressOfficer, PublishBulletin, Owner::None, true),
            (UnitOfficer, PublishBulletin, Owner::None, false),
            (Journalist, PublishBulletin, Owner::None, false),
            (UnitOfficer, ViewNewsroomDesk, Owner::None, true),
            (Journalist, ViewNewsroomDesk, Owner::None, false),
            (Journalist, ReadPressOnly, Owner::None, true),
            (
                PressOfficer,
                ManageAgencyWebhook,
                Owner::Agency("agency-b".into()),
                true,
            ),
            (
                Journalist,
                ManageAgencyWebhook,
                Owner::Agency("agency-a".into()),
                false,
            ),
            (Leader, ManageAgencyWebhook, Owner::None, false),
            (PressOfficer, ManageDeliveries, Owner::None, true),
            (Journalist, ManageDeliveries, Owner::None, false),
            (Public, ReadPressOnly, Owner::None, false),
            // press desk: a journalist reads their own agency's records only
            (Journalist, ViewPressRequest, own_agency.clone(), true),
            (Journalist, ViewPressRequest, other_agency.clone(), false),
            (Journalist, SubmitPressRequest, own_agency.clone(), true),
            (Journalist, SubmitPressRequest, other_agency.clone(), false),
            (PressOfficer, ViewPressRequest, other_agency.clone(), true),
            (UnitOfficer, ViewPressRequest, unit("unit-commune-a"), true),
            (UnitOfficer, ViewPressRequest, unit("unit-commune-b"), false),
            (UnitOfficer, ViewPressRequest, other_agency.clone(), false),
            (Public, ViewPressRequest, own_agency.clone(), false),
            (Spokesperson, AnswerPressRequest, Owner::None, true),
            (Journalist, AnswerPressRequest, own_agency.clone(), false),
            // unit officers act inside their unit only
            (UnitOfficer, ReceiveFieldWork, unit("unit-commune-a"), true),
            (UnitOfficer, ReceiveFieldWork, unit("unit-commune-b"), false),
            (UnitOfficer, ReportFigures, unit("unit-commune-a"), true),
            (UnitOfficer, ReportFigures, unit("unit-commune-b"), false),
            (UnitOfficer, ReportFigures, Owner::None, false),
            (UnitOfficer, DraftWarning, unit("unit-commune-b"), false),
            (PressOfficer, ReportFigures, unit("unit-commune-b"), true),
            (Journalist, ViewFigures, Owner::None, false),
            (Leader, ApproveFigures, Owner::None, true),
            (PressOfficer, ApproveFigures, Owner::None, false),
            (UnitOfficer, ApproveFigures, unit("unit-commune-a"), false),
            (Admin, ApproveFigures, Owner::None, false),
            (Spokesperson, PublishFigures, Owner::None, true),
            (PressOfficer, PublishFigures, Owner::None, false),
            (Admin, ManageStatsCatalogue, Owner::None, true),
            (Leader, ManageStatsCatalogue, Owner::None, false),
            (PressOfficer, ManageCampaigns, Owner::None, true),
            (UnitOfficer, ManageCampaigns, Owner::None, false),
            (Journalist, ManageCampaigns, Owner::None, false),
            (Admin, ManageWorkCalendar, Owner::None, true),
            (PressOfficer, ManageWorkCalendar, Owner::None, true),
            (Leader, ManageWorkCalendar, Owner::None, false),
            (UnitOfficer, ManageWorkCalendar, Owner::None, false),
            (Journalist, ManageWorkCalendar, Owner::None, false),
            // correction requests: the press office asks, the agency's editors answer
            (Spokesperson, RequestCorrection, Owner::None, true),
            (PressOfficer, RequestCorrection, Owner::None, true),
            (Leader, RequestCorrection, Owner::None, true),
            (UnitOfficer, RequestCorrection, Owner::None, false),
            (Admin, RequestCorrection, Owner::None, false),
            (Journalist, RequestCorrection, own_agency.clone(), false),
            (PressOfficer, ViewCorrection, other_agency.clone(), true),
            (UnitOfficer, ViewCorrection, other_agency.clone(), false),
            (Journalist, ViewCorrection, own_agency.clone(), false),
            (Journalist, AnswerCorrection, own_agency.clone(), false),
            (PressOfficer, AnswerCorrection, own_agency.clone(), false),
            (Leader, SignCommendation, Owner::None, true),
            (PressOfficer, SignCommendation, Owner::None, false),
            (PressOfficer, ManageCoverage, Owner::None, true),
            (UnitOfficer, ViewCoverage, Owner::None, true),
            (Journalist, ViewCoverage, own_agency.clone(), false),
            (UnitOfficer, ManageCoverage, Owner::None, false),
            (Journalist, ManageCoverage, own_agency.clone(), false),
            (Journalist, AnswerPressSurvey, own_agency, true),
            (PressOfficer, AnswerPressSurvey, Owner::None, false),
            (Admin, ManageAwardTypes, Owner::None, true),
            (PressOfficer, ManageAwardTypes, Owner::None, false),
            (Public, SubmitPressRequest, other_agency, false),
            // scam check: staff see the desk; the press office moderates; admins and
            // the press office keep the rules
            (UnitOfficer, ViewScamDesk, Owner::None, true),
            (Journalist, ViewScamDesk, Owner::None, false),
            (PressOfficer, ModerateScam, Owner::None, true),
            (Spokesperson, ModerateScam, Owner::None, true),
            (Leader, ModerateScam, Owner::None, true),
            (UnitOfficer, ModerateScam, Owner::None, false),
            (Admin, ModerateScam, Owner::None, false),
            (Journalist, ModerateScam, Owner::None, false),
            (Admin, ManageScamRules, Owner::None, true),
            (PressOfficer, ManageScamRules, Owner::None, true),
            (Leader, ManageScamRules, Owner::None, false),
            (Admin, ManageBanks, Owner::None, true),
            (PressOfficer, ManageBanks, Owner::None, false),
        ];
        // The public may do none of the staff actions, whatever the owner.
        for a in [
            ViewUsers,
            ManageUsers,
            ViewUnits,
            ManageUnits,
            ViewAgencies,
            ManageAgencies,
            ViewAccreditationQueue,
            AccreditJournalist,
            SuspendJournalist,
            RevokeJournalist,
            ViewAudit,
            DraftBulletin,
            ApproveBulletin,
            PublishBulletin,
            ReadPressOnly,
            AnswerPressRequest,
            ReceiveFieldWork,
            ManageWorkCalendar,
            RequestCorrection,
            ViewCorrection,
            AnswerCorrection,
            DraftWarning,
            ReportFigures,
            ViewFigures,
            ViewCoverage,
            ManageCoverage,
            SignCommendation,
            AnswerPressSurvey,
            ManageAwardTypes,
            ViewScamDesk,
            ModerateScam,
            ManageScamRules,
            ManageBanks,
        ] {
            rows.push((Public, a, Owner::None, false));
        }
        rows
    }

    #[test]
    fn the_matrix_holds() {
        let mut failures = Vec::new();
        for (role, action, owner, want) in table() {
            let got = allowed(&actor(role), action, &owner);
            if got != want {
                failures.push(format!(
                    "{role:?} {action:?} {owner:?}: got {got}, want {want}"
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn an_officer_of_a_parent_unit_acts_for_its_children() {
        let mut a = actor(Role::UnitOfficer);
        a.unit_id = Some("unit-province".into());
        assert!(allowed(&a, ReportFigures, &unit("unit-commune-b")));
        a.unit_id = Some("unit-commune-b".into());
        assert!(!allowed(
            &a,
            ReportFigures,
            &Owner::Unit(vec!["unit-province".into()])
        ));
    }

    #[test]
    fn only_an_agency_editor_sets_the_agency_webhook() {
        let mut a = actor(Role::Journalist);
        a.is_editor = true;
        assert!(allowed(
            &a,
            ManageAgencyWebhook,
            &Owner::Agency("agency-a".into())
        ));
        assert!(!allowed(
            &a,
            ManageAgencyWebhook,
            &Owner::Agency("agency-b".into())
        ));
    }

    #[test]
    fn only_the_agency_editors_read_and_answer_its_correction_requests() {
        let mut a = actor(Role::Journalist);
        a.is_editor = true;
        let own = Owner::Agency("agency-a".into());
        let other = Owner::Agency("agency-b".into());
        assert!(allowed(&a, ViewCorrection, &own));
        assert!(allowed(&a, AnswerCorrection, &own));
        assert!(!allowed(&a, ViewCorrection, &other));
        assert!(!allowed(&a, AnswerCorrection, &other));
        assert!(!allowed(&a, RequestCorrection, &own));
    }

    #[test]
    fn a_journalist_without_an_agency_owns_no_agency_record() {
        let mut a = actor(Role::Journalist);
        a.agency_id = None;
        assert!(!allowed(
            &a,
            ViewPressRequest,
            &Owner::Agency("agency-a".into())
        ));
    }

    /// A press request belongs to the journalist who made it, their agency's editors and
    /// the unit it is assigned to (and the units above it).
    #[test]
    fn a_press_request_is_seen_by_its_owners_only() {
        let request = |user: &str, agency: &str, unit: &[&str]| Owner::Record {
            user: Some(user.into()),
            agency: Some(agency.into()),
            unit: unit.iter().map(|u| u.to_string()).collect(),
        };
        let mine = request("user-journalist", "agency-a", &[]);
        let colleague = request("colleague", "agency-a", &[]);
        let assigned_a = request("other", "agency-b", &["unit-commune-a", "unit-province"]);
        let assigned_b = request("other", "agency-b", &["unit-commune-b", "unit-province"]);
        let journalist = actor(Role::Journalist);
        let mut editor = actor(Role::Journalist);
        editor.user_id = Some("editor".into());
        editor.is_editor = true;
        let officer = actor(Role::UnitOfficer);
        let mut province = actor(Role::UnitOfficer);
        province.unit_id = Some("unit-province".into());
        for (who, owner, want) in [
            (&journalist, &mine, true),
            (&journalist, &colleague, false),
            (&editor, &mine, true),
            (&editor, &colleague, true),
            (&editor, &assigned_a, false),
            (&officer, &assigned_a, true),
            (&officer, &assigned_b, false),
            (&officer, &mine, false),
            (&province, &assigned_b, true),
        ] {
            assert_eq!(
                allowed(who, ViewPressRequest, owner),
                want,
                "{who:?} {owner:?}"
            );
        }
        assert!(allowed(&officer, ReceiveFieldWork, &assigned_a));
        assert!(!allowed(&officer, ReceiveFieldWork, &assigned_b));
        assert!(!allowed(&journalist, ReceiveFieldWork, &mine));
        assert!(!allowed(&Actor::public(), ViewPressRequest, &mine));
        // A record nobody made is owned by no user.
        let orphan = Owner::Record {
            user: None,
            agency: None,
            unit: vec![],
        };
        let mut anonymous = actor(Role::Journalist);
        anonymous.user_id = None;
        assert!(!allowed(&anonymous, ViewPressRequest, &orphan));
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("superuser"), None);
    }
}
