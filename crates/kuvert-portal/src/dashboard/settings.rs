//! [`StatisticsConfig`]: the constants behind the dashboards' derived figures, configurable
//! because they differ per country, year and sender contract. Each default says where it
//! comes from, or that it is an assumption to replace.

use super::model::Factors;

/// The `statistics` section of the portal's configuration.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatisticsConfig {
    /// The people who could have a digital mailbox: the denominator of the connection rate.
    ///
    /// Default [`POPULATION_DEFAULT`], Sweden's population on 31 December 2024 according to
    /// SCB ("Folkmängd i riket, län och kommuner 31 december 2024 och
    /// befolkningsförändringar 2024": 10 587 710). That counts all ages; the intended
    /// denominator is the people aged 16 and over (SCB, folkmängd efter ålder), so set that
    /// figure for the latest year here. Until then the rate is somewhat understated.
    #[serde(default = "default_population")]
    pub population: u64,
    /// Paper saved per letter sent digitally, in grams. Default 15: two A4 sheets of
    /// 80 g/m² paper (an A4 sheet is 1/16 m², so 5 g each) and an envelope of about 5 g.
    /// The sheet weight follows from the paper standard; the number of sheets and the
    /// envelope are an assumption to replace with the senders' own figures.
    #[serde(default = "default_paper_grams")]
    pub paper_grams_per_letter: f64,
    /// Printing, enveloping and postage saved per letter, in kronor. Default 10: an
    /// assumption without a published source, to replace with the sender's own contract
    /// price per paper letter.
    #[serde(default = "default_cost_kronor")]
    pub cost_kronor_per_letter: f64,
    /// CO₂ emitted per paper letter (paper, print, transport), in grams. Default 20: an
    /// assumption without a published source, to replace with the figure in the sender's
    /// or the postal operator's own environmental report.
    #[serde(default = "default_co2_grams")]
    pub co2_grams_per_letter: f64,
    /// How long a computed public dashboard is shown before it is computed again, in
    /// seconds; 0 computes it for every request (the benchmark). Default 60.
    #[serde(default = "default_cache_secs")]
    pub cache_secs: u64,
}

/// Sweden's population on 31 December 2024 (SCB), see [`StatisticsConfig::population`].
pub const POPULATION_DEFAULT: u64 = 10_587_710;

impl Default for StatisticsConfig {
    fn default() -> Self {
        Self {
            population: default_population(),
            paper_grams_per_letter: default_paper_grams(),
            cost_kronor_per_letter: default_cost_kronor(),
            co2_grams_per_letter: default_co2_grams(),
            cache_secs: default_cache_secs(),
        }
    }
}

impl StatisticsConfig {
    /// The model's factors.
    pub(crate) fn factors(&self) -> Factors {
        Factors {
            population: self.population,
            paper_grams_per_letter: self.paper_grams_per_letter,
            cost_kronor_per_letter: self.cost_kronor_per_letter,
            co2_grams_per_letter: self.co2_grams_per_letter,
        }
    }

    /// What serde cannot check: a positive population and finite, non-negative factors.
    pub(crate) fn problem(&self) -> Option<(&'static str, String)> {
        if self.population == 0 {
            return Some(("statistics.population", "must be at least 1".to_owned()));
        }
        let factors = [
            (
                "statistics.paper_grams_per_letter",
                self.paper_grams_per_letter,
            ),
            (
                "statistics.cost_kronor_per_letter",
                self.cost_kronor_per_letter,
            ),
            ("statistics.co2_grams_per_letter", self.co2_grams_per_letter),
        ];
        for (key, value) in factors {
            if !value.is_finite() || value < 0.0 {
                return Some((key, format!("{value} is not a finite number of at least 0")));
            }
        }
        None
    }
}

fn default_population() -> u64 {
    POPULATION_DEFAULT
}

fn default_paper_grams() -> f64 {
    15.0
}

fn default_cost_kronor() -> f64 {
    10.0
}

fn default_co2_grams() -> f64 {
    20.0
}

fn default_cache_secs() -> u64 {
    60
}
