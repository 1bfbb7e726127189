//! The profile manager: the Profiles window (list, settings editor, secrets, Test credentials),
//! the keyring work behind it, and the production badge and question of the top bar.

mod editor;
mod manager;
mod production;
mod secret_status;
mod secrets;
mod vault_jobs;
mod verdict;

pub use editor::{FormError, FormField, HELPSCOUT_BASE_URL, ProfileForm, sentence};
pub use manager::{ManagerView, ProfileCommand, ProfileManager};
pub use production::{ProductionAnswer, confirm_production_ui, production_badge_ui};
pub use secret_status::{CredentialSummary, ProfileSecrets, SecretStatuses};
pub use vault_jobs::{VaultDone, VaultJobs, VaultTask};
