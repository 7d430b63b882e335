//! Leaf values of the contracts that are not identity numbers: enumerations, `UserIdentity`,
//! `SignatoryId`, and the `xs:date`/`xs:dateTime` forms.

use std::fmt;

use kuvert_core::registry::SigningStatus;

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

/// Declares an XSD string enumeration with its exact wire spellings.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// The exact spelling on the wire.
            #[must_use]
            pub fn as_wire(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }

            /// Parses the exact wire spelling.
            ///
            /// # Errors
            /// A reason naming the enumeration when the text is none of its values.
            pub fn parse(text: &str) -> Result<Self, String> {
                match text {
                    $($wire => Ok(Self::$variant),)+
                    _ => Err(format!("not a value of {}", stringify!($name))),
                }
            }
        }
    };
}
pub(crate) use wire_enum;

wire_enum! {
    /// `rcpt:AccountTypes`: what kind of mailbox a recipient has.
    AccountType {
        /// A secure digital mailbox.
        Secure = "Secure",
        /// An anonymous account (meaning undocumented).
        Anonymous = "Anonymous",
        /// No mailbox: send on paper.
        Not = "Not",
    }
}

wire_enum! {
    /// `rcpt:AccountRequestTypes`.
    AccountRequestType {
        /// Open a mailbox.
        Create = "Create",
        /// Close a mailbox.
        Delete = "Delete",
    }
}

wire_enum! {
    /// `auth:AuthorizationStatus`: whether the submitted signatures satisfy the signing rule.
    AuthorizationStatus {
        /// The signatures suffice.
        Complete = "Complete",
        /// More signatures are needed.
        Incomplete = "Incomplete",
        /// The company's signing rule cannot be interpreted.
        RulesNotSupported = "RulesNotSupported",
    }
}

/// The wire's `AuthorizationStatus` is the domain's [`SigningStatus`], one for one.
impl From<SigningStatus> for AuthorizationStatus {
    fn from(status: SigningStatus) -> Self {
        match status {
            SigningStatus::Complete => Self::Complete,
            SigningStatus::Incomplete => Self::Incomplete,
            SigningStatus::RulesNotSupported => Self::RulesNotSupported,
        }
    }
}

impl From<AuthorizationStatus> for SigningStatus {
    fn from(status: AuthorizationStatus) -> Self {
        match status {
            AuthorizationStatus::Complete => Self::Complete,
            AuthorizationStatus::Incomplete => Self::Incomplete,
            AuthorizationStatus::RulesNotSupported => Self::RulesNotSupported,
        }
    }
}

wire_enum! {
    /// `rcpt2:AccountStatus` (the simple type): a company account's state.
    CompanyAccountState {
        /// The account is active.
        Active = "Active",
        /// The account awaits signatures.
        Pending = "Pending",
    }
}

/// The parts two wire identities of a person share: built from a personnummer, read as the
/// wire form, and masked in `Debug` (personal data, STYLE.md §5). Each keeps its own `parse`,
/// because the schemas bound them differently.
macro_rules! person_identity {
    ($name:ident) => {
        impl $name {
            /// The identity of a person by their personnummer.
            #[must_use]
            pub fn person(person: &kuvert_core::id::PersonalIdentityNumber) -> Self {
                Self(person.as_str().to_owned())
            }

            /// The wire form.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_masked(formatter, stringify!($name), &self.0)
            }
        }
    };
}

/// `auth:UserIdentity`: the person acting, as a personnummer (`18|19|20` + 10 digits), or an
/// identifier starting with two lowercase letters; 12..=255 characters.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UserIdentity(String);

impl UserIdentity {
    /// Parses the wire form.
    ///
    /// # Errors
    /// A reason when the text matches neither branch of the XSD pattern or its length.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let length = text.chars().count();
        if !(12..=255).contains(&length) {
            return Err("user identity must be 12..=255 characters");
        }
        let is_personal = length == 12
            && text.bytes().all(|byte| byte.is_ascii_digit())
            && (text.starts_with("18") || text.starts_with("19") || text.starts_with("20"));
        let mut chars = text.chars();
        let is_other = chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.next().is_some_and(|c| c.is_ascii_lowercase());
        if is_personal || is_other {
            Ok(Self(text.to_owned()))
        } else {
            Err("user identity is neither a personnummer nor a two-letter prefixed id")
        }
    }
}

person_identity!(UserIdentity);

/// `auth:SignatoryId` (2025 `Authority.xsd`): who signed, 2..=256 characters; in practice a
/// personnummer (the older schema's `PersonalNumber`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SignatoryId(String);

impl SignatoryId {
    /// Parses the wire form.
    ///
    /// # Errors
    /// A reason when the length is outside 2..=256 characters.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        if (2..=256).contains(&text.chars().count()) {
            Ok(Self(text.to_owned()))
        } else {
            Err("signatory id must be 2..=256 characters")
        }
    }
}

person_identity!(SignatoryId);

/// Parses `xs:dateTime` with a time zone (RFC 3339), as every peer sends it.
///
/// # Errors
/// A reason when the text is not an RFC 3339 date-time.
pub fn parse_date_time(text: &str) -> Result<OffsetDateTime, &'static str> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| "not an xs:dateTime with a time zone")
}

/// Writes `xs:dateTime` in RFC 3339.
#[must_use]
pub fn format_date_time(value: OffsetDateTime) -> String {
    value.format(&Rfc3339).unwrap_or_else(|_| value.to_string())
}

/// Parses `xs:date`, ignoring an optional time zone suffix (`2023-10-11+02:00`, `…Z`).
///
/// # Errors
/// A reason when the first ten characters are not `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<Date, &'static str> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let (date, zone) = text.split_at_checked(10).ok_or("not an xs:date")?;
    let is_zone_ok = zone.is_empty()
        || zone == "Z"
        || (zone.len() == 6 && (zone.starts_with('+') || zone.starts_with('-')));
    if !is_zone_ok {
        return Err("not an xs:date time zone");
    }
    Date::parse(date, &format).map_err(|_| "not an xs:date")
}

/// Writes `xs:date` as `YYYY-MM-DD`.
#[must_use]
pub fn format_date(value: Date) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    value.format(&format).unwrap_or_else(|_| value.to_string())
}

/// A distribution id of the Message and Notification services (`distributionId`, 1..=50).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DistributionId(String);

impl DistributionId {
    /// Parses the wire form.
    ///
    /// # Errors
    /// A reason when the length is outside 1..=50 characters.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        if (1..=50).contains(&text.chars().count()) {
            Ok(Self(text.to_owned()))
        } else {
            Err("distribution id must be 1..=50 characters")
        }
    }

    /// The wire form.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Writes `name(text)` with all but the first eight characters of `text` masked, so a
/// personnummer shows only its date (`UserIdentity(19810105-****)`).
fn write_masked(formatter: &mut fmt::Formatter<'_>, name: &str, text: &str) -> fmt::Result {
    let visible: String = text.chars().take(8).collect();
    write!(formatter, "{name}({visible}-****)")
}

#[cfg(test)]
mod tests;
