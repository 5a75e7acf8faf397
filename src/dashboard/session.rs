//! The dashboard on the embedding API: `Session::start_dashboard` serves the page and points
//! the session's executor events at it; `stop_dashboard` (or dropping the session) ends it.

use crate::Session;
use crate::dashboard::Dashboard;
use std::time::Duration;

impl Session {
    /// Starts the live dashboard on `addr` (`"127.0.0.1:8787"`; port 0 picks a free one)
    /// and returns its URL. Every computation of this session reports to it from now on;
    /// a dashboard already running is replaced.
    pub fn start_dashboard(&mut self, addr: &str) -> Result<String, String> {
        self.stop_dashboard();
        let dashboard = Dashboard::start(addr)?;
        let url = dashboard.url();
        self.state.borrow_mut().exec.events = Some(dashboard.sink());
        self.dashboard = Some(dashboard);
        Ok(url)
    }

    /// Stops the dashboard: open pages get the end of the stream, computations stop
    /// reporting (and pay nothing for events again).
    pub fn stop_dashboard(&mut self) {
        self.state.borrow_mut().exec.events = None;
        self.dashboard = None;
    }

    /// The dashboard's URL, when one runs.
    pub fn dashboard_url(&self) -> Option<String> {
        self.dashboard.as_ref().map(Dashboard::url)
    }

    /// Waits until a page has opened the dashboard's event stream, at most `timeout`;
    /// says whether one did (false too when no dashboard runs).
    pub fn wait_for_dashboard_page(&self, timeout: Duration) -> bool {
        self.dashboard
            .as_ref()
            .is_some_and(|d| d.wait_for_page(timeout))
    }
}
