//! A store that misbehaves on purpose, for the deterministic simulation of sync
//! (`tests/tests/simulation.rs`): an OpenDAL layer, put under a target whose options name a
//! registered [`Plan`] (`fault_plan=<name>`), that fails requests, hides fresh objects from
//! listings, tears writes, and "crashes": after a set number of writes every write and delete
//! fails, as if the program had died there.
//!
//! Inert unless a program registers a plan under that name ([`register`]); Shoebox itself never
//! does. The plan is seeded, so a run is the same every time.

use opendal::raw::*;
use opendal::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

/// What a misbehaving store does. Each fault is drawn from the seed, the request's kind and
/// path, and how many times that request was made before, so concurrent requests finishing in
/// another order meet the same faults.
#[derive(Debug)]
pub struct Plan {
    seed: u64,
    seen: Mutex<HashMap<(&'static str, String), u64>>,
    /// Chance (0–1) that a request fails with a temporary error.
    pub error_rate: f64,
    /// Chance that a listing leaves an object out (stores list lazily).
    pub lag_rate: f64,
    /// Chance that a write keeps only part of its bytes and still says it succeeded.
    pub tear_rate: f64,
    /// Writes left before the crash (negative: none planned).
    crash_in: AtomicI64,
    crashed: AtomicBool,
    /// Faults are drawn only while on (the quiet phase of a simulation turns them off).
    on: AtomicBool,
}

impl Plan {
    pub fn new(seed: u64, error_rate: f64, lag_rate: f64, tear_rate: f64) -> Plan {
        Plan {
            seed,
            seen: Mutex::new(HashMap::new()),
            error_rate,
            lag_rate,
            tear_rate,
            crash_in: AtomicI64::new(-1),
            crashed: AtomicBool::new(false),
            on: AtomicBool::new(true),
        }
    }

    /// Faults on or off (a crash planned or happened is cleared when off).
    pub fn set_on(&self, on: bool) {
        self.on.store(on, Ordering::SeqCst);
        if !on {
            self.crash_in.store(-1, Ordering::SeqCst);
            self.crashed.store(false, Ordering::SeqCst);
        }
    }

    pub fn is_on(&self) -> bool {
        self.on.load(Ordering::SeqCst)
    }

    /// The program dies at its `n`th write from now (1: the next one): that write and every
    /// write and delete after it fail, until [`Plan::recover`].
    pub fn crash_at_write(&self, n: i64) {
        self.crash_in.store(n, Ordering::SeqCst);
    }

    /// Whether the planned crash happened.
    pub fn crashed(&self) -> bool {
        self.crashed.load(Ordering::SeqCst)
    }

    /// The program is started again: the store works (with its random faults) as before.
    pub fn recover(&self) {
        self.crash_in.store(-1, Ordering::SeqCst);
        self.crashed.store(false, Ordering::SeqCst);
    }

    /// A number in [0, 1) for the `n`th `kind` request on `path`.
    fn roll(&self, kind: &'static str, path: &str) -> f64 {
        // Digits left out: a snapshot's name carries the wall-clock time, which differs from
        // one run of a seed to the next.
        let path: String = path.chars().filter(|c| !c.is_ascii_digit()).collect();
        let path = path.as_str();
        let n = {
            let mut seen = self.seen.lock().unwrap();
            let c = seen.entry((kind, path.to_owned())).or_insert(0);
            *c += 1;
            *c
        };
        let mut h = blake3::Hasher::new();
        h.update(&self.seed.to_le_bytes());
        h.update(kind.as_bytes());
        h.update(path.as_bytes());
        h.update(&n.to_le_bytes());
        let b = h.finalize();
        let x = u64::from_le_bytes(b.as_bytes()[..8].try_into().expect("8 bytes"));
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    fn draw(&self, rate: f64, kind: &'static str, path: &str) -> bool {
        rate > 0.0 && self.on.load(Ordering::SeqCst) && self.roll(kind, path) < rate
    }

    fn pick(&self, n: usize, path: &str) -> usize {
        (self.roll("cut", path) * n as f64) as usize
    }

    fn injected(&self, what: &str) -> Error {
        Error::new(ErrorKind::Unexpected, format!("injected fault: {what}")).set_temporary()
    }

    /// A write (or delete) of `path` about to happen: counts down to the crash.
    fn writing(&self, path: &str) -> Result<()> {
        if self.crashed() {
            return Err(Error::new(
                ErrorKind::Unexpected,
                "injected crash: the program is gone",
            ));
        }
        let left = self.crash_in.load(Ordering::SeqCst);
        if left > 0 {
            self.crash_in.store(left - 1, Ordering::SeqCst);
            if left == 1 {
                self.crashed.store(true, Ordering::SeqCst);
                return Err(Error::new(
                    ErrorKind::Unexpected,
                    "injected crash: the program died here",
                ));
            }
        }
        if self.draw(self.error_rate, "write", path) {
            return Err(self.injected("write refused"));
        }
        Ok(())
    }
}

fn plans() -> &'static Mutex<HashMap<String, Arc<Plan>>> {
    static PLANS: std::sync::OnceLock<Mutex<HashMap<String, Arc<Plan>>>> =
        std::sync::OnceLock::new();
    PLANS.get_or_init(Default::default)
}

/// Makes `plan` the behaviour of every target whose options say `fault_plan=<name>`.
pub fn register(name: &str, plan: Arc<Plan>) {
    plans().lock().unwrap().insert(name.to_owned(), plan);
}

/// Forgets a plan (its targets then behave).
pub fn unregister(name: &str) {
    plans().lock().unwrap().remove(name);
}

pub(crate) fn plan(name: &str) -> Option<Arc<Plan>> {
    plans().lock().unwrap().get(name).cloned()
}

#[derive(Debug, Clone)]
pub(crate) struct FaultLayer {
    pub(crate) plan: Arc<Plan>,
}

impl Layer for FaultLayer {
    fn apply_service(&self, inner: Servicer) -> Servicer {
        Arc::new(FaultService {
            inner,
            plan: self.plan.clone(),
        })
    }
}

#[derive(Debug)]
pub(crate) struct FaultService {
    inner: Servicer,
    plan: Arc<Plan>,
}

impl Service for FaultService {
    type Reader = oio::Reader;
    type Writer = FaultWriter;
    type Lister = FaultLister;
    type Deleter = FaultDeleter;
    type Copier = oio::Copier;
    type Composer = oio::Composer;

    fn info(&self) -> ServiceInfo {
        self.inner.info()
    }

    fn capability(&self) -> Capability {
        self.inner.capability()
    }

    async fn create_dir(
        &self,
        ctx: &OperationContext,
        path: &str,
        args: OpCreateDir,
    ) -> Result<RpCreateDir> {
        self.inner.create_dir(ctx, path, args).await
    }

    async fn stat(&self, ctx: &OperationContext, path: &str, args: OpStat) -> Result<RpStat> {
        if self.plan.draw(self.plan.error_rate, "stat", path) {
            return Err(self.plan.injected("stat failed"));
        }
        self.inner.stat(ctx, path, args).await
    }

    fn read(&self, ctx: &OperationContext, path: &str, args: OpRead) -> Result<Self::Reader> {
        if self.plan.draw(self.plan.error_rate, "read", path) {
            return Err(self.plan.injected("read failed"));
        }
        self.inner.read(ctx, path, args)
    }

    fn write(&self, ctx: &OperationContext, path: &str, args: OpWrite) -> Result<Self::Writer> {
        Ok(FaultWriter {
            inner: self.inner.write(ctx, path, args)?,
            plan: self.plan.clone(),
            path: path.to_owned(),
            buf: Vec::new(),
        })
    }

    fn copy(
        &self,
        ctx: &OperationContext,
        from: &str,
        to: &str,
        args: OpCopy,
    ) -> Result<Self::Copier> {
        self.plan.writing(to)?;
        self.inner.copy(ctx, from, to, args)
    }

    fn compose(&self, ctx: &OperationContext, to: &str, args: OpCompose) -> Result<Self::Composer> {
        self.plan.writing(to)?;
        self.inner.compose(ctx, to, args)
    }

    async fn rename(
        &self,
        ctx: &OperationContext,
        from: &str,
        to: &str,
        args: OpRename,
    ) -> Result<RpRename> {
        self.plan.writing(to)?;
        self.inner.rename(ctx, from, to, args).await
    }

    fn delete(&self, ctx: &OperationContext) -> Result<Self::Deleter> {
        Ok(FaultDeleter {
            inner: self.inner.delete(ctx)?,
            plan: self.plan.clone(),
        })
    }

    fn list(&self, ctx: &OperationContext, path: &str, args: OpList) -> Result<Self::Lister> {
        if self.plan.draw(self.plan.error_rate, "list", path) {
            return Err(self.plan.injected("listing failed"));
        }
        Ok(FaultLister {
            inner: self.inner.list(ctx, path, args)?,
            plan: self.plan.clone(),
        })
    }

    async fn presign(
        &self,
        ctx: &OperationContext,
        path: &str,
        args: OpPresign,
    ) -> Result<RpPresign> {
        self.inner.presign(ctx, path, args).await
    }
}

/// Holds a write's bytes until it closes: then it fails, crashes, is torn (part of it kept,
/// success said) or goes through whole.
pub(crate) struct FaultWriter {
    inner: oio::Writer,
    plan: Arc<Plan>,
    path: String,
    buf: Vec<u8>,
}

impl oio::Write for FaultWriter {
    async fn write(&mut self, bs: Buffer) -> Result<()> {
        for b in bs {
            self.buf.extend_from_slice(&b);
        }
        Ok(())
    }

    async fn close(&mut self) -> Result<Metadata> {
        let mut bytes = std::mem::take(&mut self.buf);
        if let Err(e) = self.plan.writing(&self.path) {
            // The program died (or the request failed) part-way: some of it may have landed.
            if self.plan.crashed() && !bytes.is_empty() {
                bytes.truncate(self.plan.pick(bytes.len(), &self.path));
                self.inner.write_dyn(Buffer::from(bytes)).await?;
                let _ = self.inner.close_dyn().await;
            } else {
                let _ = self.inner.abort_dyn().await;
            }
            return Err(e);
        }
        if !bytes.is_empty() && self.plan.draw(self.plan.tear_rate, "tear", &self.path) {
            bytes.truncate(self.plan.pick(bytes.len(), &self.path));
        }
        if !bytes.is_empty() {
            self.inner.write_dyn(Buffer::from(bytes)).await?;
        }
        self.inner.close_dyn().await
    }

    async fn abort(&mut self) -> Result<()> {
        self.buf.clear();
        self.inner.abort_dyn().await
    }
}

pub(crate) struct FaultLister {
    inner: oio::Lister,
    plan: Arc<Plan>,
}

impl oio::List for FaultLister {
    async fn next(&mut self) -> Result<Option<oio::Entry>> {
        loop {
            let Some(e) = self.inner.next_dyn().await? else {
                return Ok(None);
            };
            // A listing that lags: an object there is not listed yet.
            if !e.path().ends_with('/') && self.plan.draw(self.plan.lag_rate, "lag", e.path()) {
                continue;
            }
            return Ok(Some(e));
        }
    }
}

pub(crate) struct FaultDeleter {
    inner: oio::Deleter,
    plan: Arc<Plan>,
}

impl oio::Delete for FaultDeleter {
    async fn delete(&mut self, path: &str, args: OpDelete) -> Result<()> {
        self.plan.writing(path)?;
        self.inner.delete_dyn(path, args).await
    }

    async fn close(&mut self) -> Result<()> {
        self.inner.close_dyn().await
    }
}
