use serde::{Deserialize, Serialize};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Order {
    order_id: u32,
    customer_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    coupon: Option<String>,
    items: Vec<Item>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    sku: String,
    unit_price_cents: u64,
    quantity: u16,
}

fn main() {
    let order = Order {
        order_id: 7,
        customer_name: "Ferris".to_string(),
        coupon: None,
        items: vec![Item { sku: "CRAB-1".to_string(), unit_price_cents: 1999, quantity: 2 }],
    };
    let json = serde_json::to_string_pretty(&order).unwrap();
    println!("{json}");
    let back: Order = serde_json::from_str(&json).unwrap();
    assert_eq!(back, order);
    println!("round trip: equal");
    let text = r#"{"orderId": 8, "customerName": "Bo", "coupon": "SAVE5", "items": []}"#;
    let with_coupon: Order = serde_json::from_str(text).unwrap();
    println!("{with_coupon:?}");
    let bad = serde_json::from_str::<Order>(r#"{"orderId": "eight"}"#).unwrap_err();
    println!("error: {bad}");
}
