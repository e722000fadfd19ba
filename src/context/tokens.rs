//! Token counting for the context budget: the model family's own BPE when tiktoken knows
//! the model (OpenAI's families), a conservative estimate otherwise.

use tiktoken_rs::CoreBPE;

/// Counts tokens the way the model will.
#[derive(Clone, Copy)]
pub enum TokenCounter {
    Bpe(&'static CoreBPE),
    /// Llama, Qwen, Mistral, SmolLM … tokenizers are not bundled. Prose runs at about four
    /// characters per token, but pod hashes, UUIDs and timestamps — most of a context —
    /// nearer two or three; one token per 2.5 characters keeps the budget on the safe side.
    Estimate,
}

impl std::fmt::Debug for TokenCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TokenCounter::Bpe(_) => "TokenCounter::Bpe",
            TokenCounter::Estimate => "TokenCounter::Estimate",
        })
    }
}

impl TokenCounter {
    /// The counter for a model name (`gpt-4o-mini`, `o3`, `qwen2.5:7b`).
    pub fn for_model(model: &str) -> Self {
        // Gateways and Azure often prefix the family (`openai/gpt-4o`, `azure-gpt-4o`).
        let name = model.rsplit('/').next().unwrap_or(model);
        tiktoken_rs::tokenizer::get_tokenizer(name)
            .and_then(|t| tiktoken_rs::bpe_for_tokenizer(t).ok())
            .map(TokenCounter::Bpe)
            .unwrap_or(TokenCounter::Estimate)
    }

    /// OpenAI's current encoding, used for the figures so that every example is counted
    /// the same way.
    pub fn o200k() -> Self {
        TokenCounter::Bpe(tiktoken_rs::o200k_base_singleton())
    }

    pub fn count(&self, text: &str) -> usize {
        match self {
            TokenCounter::Bpe(bpe) => bpe.count_ordinary(text),
            TokenCounter::Estimate => (text.chars().count() * 2).div_ceil(5),
        }
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, TokenCounter::Bpe(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_models_get_their_bpe_and_others_an_estimate() {
        assert!(TokenCounter::for_model("gpt-4o-mini").is_exact());
        assert!(TokenCounter::for_model("openai/gpt-4o").is_exact());
        assert!(!TokenCounter::for_model("qwen2.5:7b").is_exact());
        let text = "Back-off restarting failed container web in pod web-7d9f8b6c5d-x2k9p";
        let exact = TokenCounter::for_model("gpt-4o").count(text);
        let estimate = TokenCounter::Estimate.count(text);
        assert!(exact > 5 && estimate >= exact, "{exact} vs {estimate}");
    }
}
