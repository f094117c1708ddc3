//! The workspace's data model.
//!
//! ```
//! let order = model::Order::new(7, "tea", 3);
//! assert_eq!(order.to_json().unwrap(), r#"{"id":7,"item":"tea","quantity":3,"note":null}"#);
//! ```

use serde::{Deserialize, Serialize};
use ws_macros::{traced, Fields};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Fields)]
pub struct Order {
    pub id: u32,
    pub item: String,
    pub quantity: u16,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    Placed { order: Order },
    Cancelled { id: u32, reason: String },
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("order {id} has no items")]
    Empty { id: u32 },
    #[error("malformed order: {0}")]
    Json(#[from] serde_json::Error),
}

impl Order {
    pub fn new(id: u32, item: &str, quantity: u16) -> Self {
        Order { id, item: item.to_string(), quantity, note: None }
    }

    pub fn to_json(&self) -> Result<String, ModelError> {
        Ok(serde_json::to_string(self)?)
    }

    #[traced]
    pub fn parse(text: &str) -> Result<Order, ModelError> {
        let order: Order = serde_json::from_str(text)?;
        if order.quantity == 0 {
            return Err(ModelError::Empty { id: order.id });
        }
        Ok(order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let order = Order::new(1, "coffee", 2);
        assert_eq!(Order::parse(&order.to_json().unwrap()).unwrap(), order);
        assert_eq!(Order::fields(), ["id", "item", "quantity", "note"]);
    }

    #[test]
    fn errors_display() {
        let err = Order::parse(r#"{"id":3,"item":"x","quantity":0}"#).unwrap_err();
        assert_eq!(err.to_string(), "order 3 has no items");
    }
}
