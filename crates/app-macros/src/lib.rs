//! `#[shoebox_app_macros::command]`: a Tauri command written once.
//!
//! It puts `#[tauri::command]` on the function and, beside it, a module of the same name with
//! `signature()`: the command's name, doc comment, arguments and result as TypeScript types
//! (through `ts_rs::TS`). The app's one list of commands (`src-tauri/src/commands/mod.rs`)
//! builds both the IPC handler and the TypeScript wrappers (`ui/src/lib/bindings.ts`) from
//! those, so a command is never spelled out again by hand.
//!
//! Arguments of type `State<…>`, `AppHandle`, `Window` and `WebviewWindow` are given by Tauri
//! and are not part of the TypeScript call. An argument of type `Channel<T>` becomes a callback
//! `(e: T) => void`. The result must be `()` or `Res<T>`/`Result<T, _>`; its TypeScript type is
//! `T`'s.

use proc_macro::TokenStream;
use quote::{format_ident, quote};
use syn::{
    FnArg, GenericArgument, ItemFn, Pat, PathArguments, ReturnType, Type, parse_macro_input,
};

/// The last segment of a type's path, and its first generic type argument when it has one.
fn last_segment(ty: &Type) -> Option<(String, Option<&Type>)> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    let arg = match &seg.arguments {
        PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    };
    Some((seg.ident.to_string(), arg))
}

/// `snake_case` as Tauri spells an argument on the JavaScript side (`camelCase`).
fn camel(s: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in s.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[proc_macro_attribute]
pub fn command(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "#[command] takes no arguments",
        )
        .to_compile_error()
        .into();
    }
    let f = parse_macro_input!(item as ItemFn);
    let name = &f.sig.ident;
    let doc: Vec<String> = f
        .attrs
        .iter()
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let doc = doc.join(" ");

    let mut args = Vec::new();
    for input in &f.sig.inputs {
        let FnArg::Typed(pt) = input else {
            return syn::Error::new_spanned(input, "a command takes no self")
                .to_compile_error()
                .into();
        };
        let Pat::Ident(id) = &*pt.pat else {
            return syn::Error::new_spanned(&pt.pat, "name each argument")
                .to_compile_error()
                .into();
        };
        let js = camel(id.ident.to_string().trim_start_matches('_'));
        match last_segment(&pt.ty) {
            Some((s, _))
                if matches!(
                    s.as_str(),
                    "State" | "AppHandle" | "Window" | "WebviewWindow"
                ) => {}
            Some((s, Some(event))) if s == "Channel" => args.push(quote! {
                crate::bindings::Arg::Channel(#js, <#event as ts_rs::TS>::name())
            }),
            _ => {
                let ty = &pt.ty;
                args.push(quote! { crate::bindings::Arg::Value(#js, <#ty as ts_rs::TS>::name()) })
            }
        }
    }
    let ret = match &f.sig.output {
        ReturnType::Default => quote! { String::from("void") },
        ReturnType::Type(_, ty) => match last_segment(ty) {
            Some((s, Some(ok))) if s == "Res" || s == "Result" => {
                if matches!(ok, Type::Tuple(t) if t.elems.is_empty()) {
                    quote! { String::from("void") }
                } else {
                    quote! { <#ok as ts_rs::TS>::name() }
                }
            }
            _ => {
                return syn::Error::new_spanned(ty, "a command returns () or Res<T>")
                    .to_compile_error()
                    .into();
            }
        },
    };
    let sig_mod = format_ident!("{}", name);
    let rust_name = name.to_string();
    let js_name = camel(&rust_name);
    quote! {
        #[tauri::command]
        #f

        #[doc(hidden)]
        pub mod #sig_mod {
            #[allow(unused_imports)]
            use super::*;
            /// What the TypeScript wrapper of this command is made from.
            pub fn signature() -> crate::bindings::Command {
                crate::bindings::Command {
                    name: #rust_name,
                    js_name: #js_name,
                    doc: #doc,
                    args: vec![#(#args),*],
                    ret: #ret,
                }
            }
        }
    }
    .into()
}
