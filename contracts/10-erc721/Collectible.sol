// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title What a contract must answer to receive NFTs through safeTransferFrom (EIP-721).
interface IERC721Receiver {
    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4);
}

/// @title A collection of at most 10 tokens, at most 3 minted by any one address.
contract Collectible {
    // YOUR CODE HERE: mint, the ERC-721 functions and events, supportsInterface.
}
