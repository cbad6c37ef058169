//! Accounts: signing up and in, second factors, merchant API keys and the
//! signed requests made with them.

use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::Sha256;
use trigate_core::query::{ApiKeyView, Credentials, Query};
use trigate_core::{Command, PasswordHash, UserId};

use crate::identity::{self, SKEW_SECS};
use crate::operation::{ask, submit};
use crate::{App, AppError, Caller, access, ops};

/// A second factor just enrolled: the secret, shown this once.
#[derive(Debug)]
pub struct Enrolled {
    pub user: UserId,
    /// Base32, as authenticator apps take it.
    pub secret: SecretString,
}

impl Enrolled {
    /// The `otpauth://` URL an authenticator app reads from a QR code.
    pub fn otpauth_url(&self) -> String {
        format!(
            "otpauth://totp/trigate:user-{}?secret={}&issuer=trigate",
            self.user,
            self.secret.expose_secret()
        )
    }
}

/// A merchant API key just made: its id and the secret, shown this once.
#[derive(Debug)]
pub struct ApiKeySecret {
    pub key_id: String,
    /// Hex.
    pub secret: SecretString,
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Runs Argon2id (slow on purpose) off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// `secret` hashed with Argon2id, off the async workers.
pub(crate) async fn hash_secret(secret: String) -> Result<PasswordHash, AppError> {
    Ok(PasswordHash(
        blocking(move || identity::hash_password(&secret)).await??,
    ))
}

/// Whether `secret` matches the Argon2id `phc`, off the async workers.
pub(crate) async fn secret_matches(secret: String, phc: String) -> Result<bool, AppError> {
    blocking(move || identity::password_matches(&secret, &phc)).await
}

impl App {
    /// A new buyer with a password of 8 to 256 characters.
    pub async fn register(
        &self,
        login: String,
        password: String,
        referral_code: Option<String>,
    ) -> Result<UserId, AppError> {
        let length = password.chars().count();
        if !(8..=256).contains(&length) {
            return Err(AppError::Invalid(
                "a password is 8 to 256 characters".into(),
            ));
        }
        let password = hash_secret(password).await?;
        self.change(
            Caller::GUEST,
            ops::Register {
                login,
                referrer_code: referral_code,
                password,
            },
        )
        .await
    }

    /// The user `login` names, if `password` is theirs (and, for roles that
    /// need one, `totp` is a fresh code of their second factor).
    pub async fn sign_in(
        &self,
        login: String,
        password: String,
        totp: Option<&str>,
    ) -> Result<UserId, AppError> {
        let refused = || AppError::BadCredentials("wrong login or password".into());
        let (user, role, phc, second_factor) =
            match ask::<Credentials>(&self.engine, Query::Credentials { login }).await {
                Ok(Credentials {
                    user,
                    role,
                    password: Some(phc),
                    second_factor,
                }) => (user, role, phc, second_factor),
                _ => {
                    self.signed_in(None, false).await?;
                    return Err(refused());
                }
            };
        if !secret_matches(password, phc).await? {
            self.signed_in(Some(user), false).await?;
            return Err(refused());
        }
        // Staff always give a code; anyone with a second factor may, and
        // then it answers a risk challenge at sign-in.
        if access::needs_second_factor(role) || (totp.is_some() && second_factor.is_some()) {
            self.check_second_factor(user, second_factor.as_deref(), totp)?;
            crate::request::second_factor_checked();
        }
        self.signed_in(Some(user), true).await?;
        Ok(user)
    }

    /// Gate three's decision on a sign-in (or the failure counted): a block
    /// refuses it.
    async fn signed_in(&self, user: Option<UserId>, ok: bool) -> Result<(), AppError> {
        crate::operation::submit::<()>(&self.engine, Command::SignIn { user, ok }).await
    }

    /// Checks `code` against `user`'s sealed TOTP secret: refused when none
    /// is enrolled, no code is sent, the code is wrong, or its step was
    /// used; too many wrong codes lock the factor for a while.
    fn check_second_factor(
        &self,
        user: UserId,
        sealed: Option<&[u8]>,
        code: Option<&str>,
    ) -> Result<(), AppError> {
        let sealed = sealed.ok_or_else(|| {
            AppError::SecondFactorRequired(
                "this needs a TOTP code; enrol a second factor first".into(),
            )
        })?;
        let code = code.ok_or_else(|| {
            AppError::SecondFactorRequired("send the TOTP code as \"totp\"".into())
        })?;
        if self.used_steps.locked(user) {
            return Err(AppError::SecondFactorLocked);
        }
        let seed = self
            .master
            .open_secret(sealed)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        match identity::totp_step(&seed, code, unix_now())
            .filter(|step| self.used_steps.accept(user, *step))
        {
            Some(_) => {
                self.used_steps.right_code(user);
                Ok(())
            }
            None => {
                self.used_steps.wrong_code(user);
                Err(AppError::BadSecondFactor)
            }
        }
    }

    /// Checks a fresh code of the caller's own second factor (for money
    /// leaving: a stolen session alone cannot move it).
    pub(crate) async fn check_own_code(&self, caller: Caller, code: &str) -> Result<(), AppError> {
        let sealed: Option<Vec<u8>> =
            ask(&self.engine, Query::SecondFactor { actor: caller.0 }).await?;
        self.check_second_factor(caller.0, sealed.as_deref(), Some(code))
    }

    /// A TOTP secret made here, sealed for the shop, shown this once.
    async fn enrol(&self, actor: UserId, user: UserId) -> Result<Enrolled, AppError> {
        let seed = identity::new_totp_seed();
        let command = Command::EnrollSecondFactor {
            actor,
            user,
            sealed: self.master.seal_secret(&seed),
        };
        submit::<()>(&self.engine, command).await?;
        Ok(Enrolled {
            user,
            secret: identity::totp_base32(&seed).into(),
        })
    }

    /// An admin enrols a second factor for another user (staff who must
    /// sign in with one start here).
    pub async fn enrol_other(&self, caller: Caller, user: UserId) -> Result<Enrolled, AppError> {
        let done = self.enrol(caller.0, user).await;
        crate::log_action(
            caller,
            &format!("EnrolSecondFactor {{ user: {user} }}"),
            &done,
        );
        done
    }

    /// The caller enrols (or, with the current code, replaces) their own
    /// second factor, with their password: a session alone cannot.
    pub async fn enrol_self(
        &self,
        caller: Caller,
        password: String,
        totp: Option<&str>,
    ) -> Result<Enrolled, AppError> {
        let me = self.read(caller, ops::Me).await?;
        let refused = || AppError::BadCredentials("wrong password".into());
        let phc =
            match ask::<Credentials>(&self.engine, Query::Credentials { login: me.login }).await {
                Ok(Credentials {
                    password: Some(phc),
                    ..
                }) => phc,
                _ => return Err(refused()),
            };
        if !secret_matches(password, phc).await? {
            return Err(refused());
        }
        let sealed: Option<Vec<u8>> =
            ask(&self.engine, Query::SecondFactor { actor: caller.0 }).await?;
        if let Some(sealed) = sealed {
            self.check_second_factor(caller.0, Some(&sealed), totp)?;
        }
        self.enrol(caller.0, caller.0).await
    }

    /// An API key for the caller's merchant; only its sealed secret is kept.
    pub async fn create_api_key(&self, caller: Caller) -> Result<ApiKeySecret, AppError> {
        let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let mut id = [0u8; 12];
        let mut secret = vec![0u8; 32];
        getrandom::fill(&mut id).map_err(|e| AppError::Internal(e.to_string()))?;
        getrandom::fill(&mut secret).map_err(|e| AppError::Internal(e.to_string()))?;
        let key_id = format!("tk_{}", hex(&id));
        let secret = SecretBox::new(Box::new(secret));
        let command = Command::AddApiKey {
            actor: caller.0,
            key_id: key_id.clone(),
            sealed: self.master.seal_secret(&secret),
        };
        submit::<()>(&self.engine, command).await?;
        Ok(ApiKeySecret {
            key_id,
            secret: hex(secret.expose_secret()).into(),
        })
    }

    /// The merchant a signed request acts as: the key must be known, the
    /// timestamp within five minutes, the nonce fresh and the signature
    /// (hex) an HMAC-SHA256 of [`identity::signed_message`] under the key's
    /// secret.
    pub async fn check_signature(
        &self,
        key_id: &str,
        timestamp: &str,
        nonce: &str,
        signature: &str,
        message: &[u8],
    ) -> Result<Caller, AppError> {
        let missing = || {
            AppError::BadSignature(
                "signed requests carry x-trigate-timestamp, x-trigate-nonce and \
                 x-trigate-signature"
                    .into(),
            )
        };
        let signature = identity::hex_decode(signature).ok_or_else(missing)?;
        let now = unix_now();
        let at: u64 = timestamp.parse().map_err(|_| missing())?;
        if at.abs_diff(now) > SKEW_SECS {
            return Err(AppError::StaleTimestamp);
        }
        if !(8..=64).contains(&nonce.len()) || !nonce.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(missing());
        }
        let query = Query::ApiKey {
            key_id: key_id.to_string(),
        };
        let ApiKeyView { owner, sealed } = ask(&self.engine, query)
            .await
            .map_err(|_| AppError::BadSignature("unknown API key".into()))?;
        let secret = self
            .master
            .open_secret(&sealed)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret())
            .map_err(|_| AppError::Internal("bad API key secret".into()))?;
        mac.update(message);
        // Constant time.
        mac.verify_slice(&signature)
            .map_err(|_| AppError::BadSignature("the signature does not match".into()))?;
        if !self.nonces.first_use(key_id, nonce, now) {
            return Err(AppError::ReplayedNonce);
        }
        Ok(Caller(owner))
    }

    /// Refused unless the caller is finance or an admin.
    pub(crate) async fn require_finance(&self, caller: Caller, what: &str) -> Result<(), AppError> {
        if access::is_finance(self.read(caller, ops::Me).await?.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("only finance {what}")))
        }
    }

    /// Refused unless the caller is staff.
    pub(crate) async fn require_staff(&self, caller: Caller) -> Result<(), AppError> {
        if access::is_staff(self.read(caller, ops::Me).await?.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden("staff only".into()))
        }
    }
}
